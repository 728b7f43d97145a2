import type { Compose } from './compose.js';

/**
 * The compose layer's face for the command line (src/cli/commands/* import compose/ only through
 * it): the {@link Compose} object, the options and results of its verbs, the plan printer, and
 * the `config` queries on a loaded project. Kept short on purpose: anything else in compose/ is
 * the layer's own business. The library's face (src/index.ts) re-exports from here.
 */
export { Compose, type ComposeOptions, type UpOptions, type UpResult, type ContainerRow } from './compose.js';
export { formatPlan, type Plan } from './plan.js';
export type { Prompt } from './planner.js';
export type { LogLine } from './logs.js';
export { configHashes, configList, type ConfigList } from './config-queries.js';

/** Options of {@link Compose.down}: services, `-v`, orphans, `-t`, dry run, Ctrl+C signal. */
export type DownOptions = NonNullable<Parameters<Compose['down']>[1]>;
/** Options of {@link Compose.build}: services, Ctrl+C signal. */
export type BuildOptions = NonNullable<Parameters<Compose['build']>[1]>;
/** Options of {@link Compose.ps}: `-a`, services. */
export type PsOptions = NonNullable<Parameters<Compose['ps']>[1]>;
/** Options of {@link Compose.logs}: `-f`, `--tail`, `-t`, services, Ctrl+C signal. */
export type LogsOptions = NonNullable<Parameters<Compose['logs']>[2]>;
