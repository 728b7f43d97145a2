/**
 * The compose layer's face for the command line (src/cli/commands/* import compose/ only through
 * it): the {@link Compose} object, the options and results of its verbs, the plan printer, and
 * the `config` queries on a loaded project. Kept short on purpose: anything else in compose/ is
 * the layer's own business. The library's face (src/index.ts) re-exports from here.
 */
export {
  Compose,
  type ComposeOptions,
  type UpOptions,
  type UpResult,
  type DownOptions,
  type BuildOptions,
  type PsOptions,
  type LogsOptions,
  type ContainerRow,
  type PortPublisher,
} from './compose.js';
export type { ExecOptions, ExecResult } from './verbs/exec.js';
export type { LsOptions, ProjectSummary } from './verbs/ls.js';
export type { PortOptions, PublishedPort } from './verbs/port.js';
export type { TopOptions, ContainerProcesses } from './verbs/top.js';
export type { ImagesOptions, ContainerImage } from './verbs/images.js';
export type { VolumesOptions, VolumeSummary } from './verbs/volumes.js';
export type { WaitOptions, WaitResult, ContainerExit } from './verbs/wait.js';
export { parseReplicas, type ScaleOptions } from './verbs/scale.js';
export { formatEventJson, formatEventText, type ProjectEvent, type EventsOptions } from './verbs/events.js';
export type { RunOptions, RunResult } from './verbs/run.js';
export type { AttachOptions, AttachResult, AttachStreams, AttachedContainer } from './verbs/attach.js';
export type { CopyOptions, CopyResult } from './verbs/cp.js';
export type { StatsOptions, StatsRow } from './verbs/stats.js';
export type { ExportOptions, ExportResult } from './verbs/export.js';
export type { CommitOptions, CommitResult } from './verbs/commit.js';
export type { PullOptions, PushOptions } from './verbs/pull-push.js';
export type { WatchOptions, DryRunVerdict } from './verbs/watch.js';
export { formatPlan, type Plan } from './plan.js';
export type {
  StopOptions,
  StartOptions,
  RestartOptions,
  KillOptions,
  PauseOptions,
  RmOptions,
  RmResult,
} from './verbs/lifecycle.js';
export type { Prompt } from './planner.js';
export type { LogLine, LogExit } from './logs.js';
export { configHashes, configList, type ConfigList } from './config-queries.js';
export { buildInputs, buildRequest, bakeFile, findBuildx, type BuildRequest, type BakeFile, type BakeTarget } from './build.js';
export { BUILD_DIGEST_LABEL, BUILD_PARTS_LABEL, staleReason, type BuildInputs, type ContextEntry } from './build-inputs.js';
export * from './stack/index.js';
