import { CapstanError } from '../errors.js';
import type { UpOptions } from '../compose/index.js';
import type { GlobalOptions } from './globals.js';

/**
 * `up`'s and `create`'s flags as commander parses them (declared in ./commands/up.ts and
 * ./commands/create.ts, as docker compose's cmd/compose/up.go and create.go), the combinations
 * compose refuses, and their translation into {@link UpOptions}.
 */
export interface UpFlags {
  detach?: boolean;
  build?: boolean;
  /** `--no-build` (renamed by main.ts `normalizeArgv`: commander would merge it into `build`). */
  nobuild?: boolean;
  wait?: boolean;
  /** `--wait-timeout`, seconds. */
  waitTimeout?: number;
  forceRecreate?: boolean;
  /** `--no-recreate` is `recreate: false`; likewise `start`, `deps`, `color`, `logPrefix`. */
  recreate?: boolean;
  start?: boolean;
  deps?: boolean;
  removeOrphans?: boolean;
  /** `--scale SERVICE=NUM`, repeated. */
  scale?: string[];
  /** `-t`, seconds. */
  timeout?: number;
  color?: boolean;
  logPrefix?: boolean;
  dryRun?: boolean;
  alwaysRecreateDeps?: boolean;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  attach?: string[];
  /** `--no-attach` (renamed by main.ts `normalizeArgv`: commander would read it as `--attach`'s negation). */
  noattach?: string[];
  attachDependencies?: boolean;
  timestamps?: boolean;
  yes?: boolean;
  /** `--pull`: always, missing, never, build, policy (default). */
  pull?: string;
  /** `--quiet-pull`: no per-image pull progress. */
  quietPull?: boolean;
  /** `-w, --watch`: act on `develop.watch` while attached. */
  watch?: boolean;
}

/**
 * Flag combinations docker compose refuses before loading the project (cmd/compose/up.go
 * `validateFlags`; `create`'s PreRunE checks are a subset), with compose's messages.
 * `--exit-code-from` implies `--abort-on-container-exit` unless `--abort-on-container-failure` is set;
 * `--wait` implies `--detach`. `--no-attach` goes with `--detach` (it only narrows what is attached).
 * @throws CapstanError USAGE naming the refused combination
 */
export function validate(flags: UpFlags): void {
  const usage = (m: string): never => {
    throw new CapstanError('USAGE', m);
  };
  if (flags.waitTimeout !== undefined && flags.waitTimeout < 0) usage('--wait-timeout must be a non-negative integer');
  const cascadeStop = Boolean(flags.abortOnContainerExit || (flags.exitCodeFrom && !flags.abortOnContainerFailure));
  const cascadeFail = Boolean(flags.abortOnContainerFailure);
  const attach = Boolean(flags.attach?.length);
  if (cascadeStop && cascadeFail) usage('--abort-on-container-failure cannot be combined with --abort-on-container-exit');
  if (flags.wait && (flags.attachDependencies || cascadeStop || attach)) {
    usage('--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies');
  }
  if (flags.build && flags.nobuild) usage('--build and --no-build are incompatible');
  if ((flags.detach || flags.wait) && (flags.attachDependencies || cascadeStop || cascadeFail || attach || flags.watch)) {
    const what = flags.wait ? '--wait' : '--detach';
    usage(`${what} cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch`);
  }
  if (flags.forceRecreate && flags.recreate === false) usage('--force-recreate and --no-recreate are incompatible');
  if (flags.alwaysRecreateDeps && flags.recreate === false) usage('--always-recreate-deps and --no-recreate are incompatible');
  if (flags.nobuild && flags.watch) usage('--no-build and --watch are incompatible');
}

/**
 * The {@link UpOptions} the flags describe (the part that comes from flags alone: the caller adds
 * orphan handling, signals, the prompt and the attached-mode callbacks). Detached when `-d`,
 * `--wait`, `--dry-run` (here or global) or `--no-start`.
 * @throws CapstanError USAGE for a `--scale` value that is not SERVICE=NUM
 */
export function upOptionsFromFlags(g: GlobalOptions, flags: UpFlags, services: string[]): UpOptions {
  const dryRun = Boolean(flags.dryRun || g.dryRun);
  return {
    services,
    detach: Boolean(flags.detach || flags.wait || dryRun || flags.start === false),
    dryRun,
    build: flags.build === true,
    noBuild: flags.nobuild === true,
    wait: flags.wait,
    waitTimeoutSeconds: flags.waitTimeout,
    forceRecreate: flags.forceRecreate,
    alwaysRecreateDeps: flags.alwaysRecreateDeps,
    abortOnContainerExit: flags.abortOnContainerExit,
    abortOnContainerFailure: flags.abortOnContainerFailure,
    exitCodeFrom: flags.exitCodeFrom,
    attach: flags.attach,
    noAttach: flags.noattach,
    attachDependencies: flags.attachDependencies,
    timestamps: flags.timestamps,
    yes: flags.yes,
    noRecreate: flags.recreate === false,
    noStart: flags.start === false,
    noDeps: flags.deps === false,
    scale: parseScale(flags.scale),
    timeoutSeconds: flags.timeout,
    ...(flags.pull && flags.pull !== 'policy' ? { pull: flags.pull } : {}),
    ...(flags.quietPull ? { quietPull: true } : {}),
  };
}

/**
 * `--scale SERVICE=NUM` values as a map of replica counts (a later value for a service wins).
 * @throws CapstanError USAGE for a value that is not SERVICE=NUM
 */
function parseScale(values: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(v);
    if (!m) throw new CapstanError('USAGE', `--scale: "${v}" is not SERVICE=NUM`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
