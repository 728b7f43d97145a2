import { relative } from 'node:path';
import { Command } from 'commander';
import { CapstanError } from '../../errors.js';
import { Compose, type DryRunVerdict } from '../../compose/index.js';
import type { ComposeEvent } from '../../compose/events.js';
import type { Project } from '../../model/types.js';
import { LogPrinter } from '../../ui/log-printer.js';
import { colorsFor } from '../../ui/colors.js';
import { interruptSignals, loadFromGlobals, session, type GlobalOptions } from '../context.js';
import { handledBy } from '../options.js';

/** `capstan watch`'s flags, as commander parses them. */
export interface WatchFlags {
  /** `--no-up` makes this false. */
  up?: boolean;
  /** `--prune` (default) / `--no-prune`. */
  prune?: boolean;
  quiet?: boolean;
  dryRun?: boolean;
}

/** `capstan watch [SERVICE...]`: flags as docker compose's `watch` (cmd/compose/watch.go), plus `--dry-run`. */
export function command(): Command {
  const command = new Command('watch')
    .description('Watch build context for service and rebuild/refresh containers when files are updated')
    .argument('[services...]')
    .option('--no-up', 'do not build & start services before watching')
    .option('--prune', 'prune dangling images on rebuild (default)')
    .option('--no-prune', 'keep the images a rebuild replaced')
    .option('--quiet', 'hide build output')
    .option('--dry-run', 'print which rule each changed path triggers (or why not); start and change nothing');
  return handledBy(command, run);
}

/**
 * `watch [SERVICE...]`: unless `--no-up` (or `--dry-run`), `up -d` of the services first, then
 * watch until Ctrl+C (CANCELLED → exit 130). Watch lines go to stdout under `⦿`, `sync+exec`
 * output as container log lines; with `--progress json`, each watch line is also a JSON record
 * `{"resource":"watch","message":…}` on stderr.
 * @throws CapstanError as {@link Compose.watch}; CANCELLED on Ctrl+C
 */
export async function run(g: GlobalOptions, flags: WatchFlags, services: string[]): Promise<number> {
  const dryRun = Boolean(flags.dryRun || g.dryRun);
  // a redrawn progress frame cannot share the terminal with the watch lines
  const mode = g.progress === 'json' || g.progress === 'quiet' ? g.progress : 'plain';
  const { compose, progress } = session({ ...g, progress: mode }, 'Watching');
  const sink = (event: ComposeEvent): void => {
    if (flags.quiet && event.type === 'build-output') return;
    progress(event);
  };
  const composeForWatch = new Compose({ engine: compose.engine, events: sink, ...(g.parallel !== undefined ? { concurrency: g.parallel } : {}) });
  const interrupt = interruptSignals();
  try {
    const project = await loadFromGlobals(g, services.length ? { services } : {});
    const printer = new LogPrinter({ project: project.name, colors: colorsFor(process.stdout, g.ansi) });
    if (flags.up !== false && !dryRun) {
      // as compose: a service with `build` and `develop` is built afresh before watching
      const fresh: Project = { ...project, services: { ...project.services } };
      for (const [name, s] of Object.entries(project.services)) if (s.build && s.develop) fresh.services[name] = { ...s, pull_policy: 'build' };
      await composeForWatch.up(fresh, { services, detach: true, signal: interrupt.signal, ...(flags.quiet ? { quietPull: true } : {}) });
    }
    await composeForWatch.watch(project, {
      services,
      prune: flags.prune !== false,
      dryRun,
      signal: interrupt.signal,
      onMessage: (text) => {
        printer.watch(text);
        if (mode === 'json') process.stderr.write(`${JSON.stringify({ resource: 'watch', message: text })}\n`);
      },
      onLog: (line) => printer.line(line),
      onDryRun: (path, verdicts) => process.stdout.write(dryRunLines(project, path, verdicts)),
    });
    if (interrupt.signal.aborted) throw new CapstanError('CANCELLED', 'cancelled');
    return 0;
  } finally {
    progress.close();
    interrupt.dispose();
  }
}

/**
 * `watch --dry-run`'s report for one changed path: one line per rule whose path contains it —
 * `src/app.py  web develop.watch[0] sync → /app/app.py`, or `… ignored (editor temp file)` — or
 * `no rule` when none does.
 */
export function dryRunLines(project: Project, path: string, verdicts: DryRunVerdict[]): string {
  const shown = relative(project.workingDir, path) || path;
  if (!verdicts.length) return `${shown}  no rule\n`;
  return verdicts
    .map((v) => {
      const rule = `${v.service} develop.watch[${v.index}] ${v.action}`;
      if (!v.verdict.match) return `${shown}  ${rule}: ignored (${v.verdict.reason})\n`;
      return `${shown}  ${rule}${v.verdict.containerPath ? ` → ${v.verdict.containerPath}` : ''}\n`;
    })
    .join('');
}
