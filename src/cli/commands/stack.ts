import { Command, Option } from 'commander';
import { CapstanError } from '../../errors.js';
import { EngineClient } from '../../engine/client.js';
import { detectIpvs, formatStackPlan, Stack, type ResolveImage, type StackTaskRow } from '../../compose/index.js';
import { renderFormat, type FormatSpec } from '../../ui/go-template.js';
import { formatTable } from '../../ui/table.js';
import { loadFromGlobals, type GlobalOptions } from '../context.js';
import { warningPrinter } from '../globals.js';
import { collect } from '../options.js';

/**
 * `capstan stack deploy|ls|ps|services|rm`: a compose file deployed to a Docker Swarm through
 * the Engine API (`docker stack` behaviour). Each subcommand is a thin layer over `Stack`
 * (compose/stack); the engine must be a swarm manager (DOCKER_HOST).
 */

/** `stack deploy`'s flags. */
export interface StackDeployFlags {
  composeFile?: string[];
  prune?: boolean;
  resolveImage?: string;
  withRegistryAuth?: boolean;
  detach?: string | boolean;
  dryRun?: boolean;
}

/** `stack ps`'s flags. */
export interface StackPsFlags {
  trunc?: boolean;
  filter?: string[];
  format?: string;
  quiet?: boolean;
}

/** The global flags, from the root command (`stack` is the parent of the subcommands). */
function globalsOf(c: Command): GlobalOptions {
  let root = c;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

function stackApi(): Stack {
  return new Stack(EngineClient.fromEnvironment());
}

function one(operands: string[], what: string): string {
  if (operands.length !== 1) throw new CapstanError('USAGE', `"stack ${what}" requires exactly 1 argument: the stack name`);
  return operands[0]!;
}

function action<F extends object>(c: Command, handler: (g: GlobalOptions, flags: F, operands: string[]) => Promise<number>): Command {
  return c.action(async () => {
    const operands = c.processedArgs.flat().filter((a): a is string => typeof a === 'string');
    const flags = c.opts<F & { detach?: string | boolean; d?: boolean }>();
    // Go's bool flag never takes the next argument: `--detach web` is `--detach` and the operand
    // `web` (commander took it as the optional value); `-d` is `--detach`
    if (typeof flags.detach === 'string' && !/^(1|t|true|0|f|false)$/i.test(flags.detach)) {
      operands.unshift(flags.detach);
      flags.detach = true;
    }
    if (flags.d) flags.detach = true;
    const code = await handler(globalsOf(c), flags, operands);
    if (code !== 0) process.exitCode = code;
  });
}

/** `--detach=false` / `--detach false` / `-d`: whether to return without waiting. Default true, as docker stack. */
function detached(value: string | boolean | undefined): boolean {
  if (value === undefined || value === true) return true;
  if (value === false) return false;
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new CapstanError('USAGE', `invalid --detach value: ${value}`, { hint: 'use --detach=true or --detach=false' });
}

/**
 * `stack deploy STACK`: `-c/--compose-file` (repeatable; the global `-f` works too), `--prune`,
 * `--resolve-image always|changed|never`, `--with-registry-auth`, `--detach=false` (wait with
 * progress), `--dry-run` (print the plan: service create/update/remove with reasons).
 */
export async function deploy(g: GlobalOptions, flags: StackDeployFlags, operands: string[]): Promise<number> {
  const name = one(operands, 'deploy');
  const resolve = (flags.resolveImage ?? 'always') as ResolveImage;
  if (!['always', 'changed', 'never'].includes(resolve)) throw new CapstanError('USAGE', `invalid --resolve-image value: ${resolve}`, { hint: 'use always, changed or never' });
  const files = [...(g.file ?? []), ...(flags.composeFile ?? [])];
  const project = await loadFromGlobals({ ...g, file: files.length ? files : undefined, projectName: name });
  const warn = warningPrinter(g);
  const dryRun = Boolean(flags.dryRun || g.dryRun);
  const actions = await stackApi().deploy(project, name, {
    prune: flags.prune,
    resolveImage: resolve,
    withRegistryAuth: flags.withRegistryAuth,
    dryRun,
    wait: !detached(flags.detach),
    onProgress: (line) => void process.stderr.write(`${line}\n`),
    onWarning: warn,
    ipvs: detectIpvs(process.env.DOCKER_HOST),
  });
  if (dryRun) process.stdout.write(formatStackPlan(actions));
  return 0;
}

/** `stack ls`: NAME SERVICES (`--format` table|json|TEMPLATE over Name, Services). */
async function ls(_g: GlobalOptions, flags: { format?: string }, operands: string[]): Promise<number> {
  if (operands.length) throw new CapstanError('USAGE', '"stack ls" accepts no arguments');
  const rows = (await stackApi().ls()).map((s) => ({ Name: s.name, Services: String(s.services) }));
  process.stdout.write(format(flags.format, rows, { table: 'table {{.Name}}\t{{.Services}}', headers: { Name: 'NAME', Services: 'SERVICES' } }));
  return 0;
}

/** `stack services STACK`: ID NAME MODE REPLICAS IMAGE PORTS. */
async function services(_g: GlobalOptions, flags: { format?: string; quiet?: boolean }, operands: string[]): Promise<number> {
  const rows = (await stackApi().services(one(operands, 'services'))).map((s) => ({ ID: s.id.slice(0, 12), Name: s.name, Mode: s.mode, Replicas: s.replicas, Image: s.image, Ports: s.ports }));
  if (flags.quiet) {
    for (const r of rows) process.stdout.write(`${r.ID}\n`);
    return 0;
  }
  process.stdout.write(
    format(flags.format, rows, {
      table: 'table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}',
      headers: { ID: 'ID', Name: 'NAME', Mode: 'MODE', Replicas: 'REPLICAS', Image: 'IMAGE', Ports: 'PORTS' },
    }),
  );
  return 0;
}

/** `--filter KEY=VALUE` (repeatable) → Engine filters for `GET /tasks`. @throws CapstanError USAGE */
export function taskFilters(list: readonly string[]): Record<string, string[]> {
  const allowed = ['id', 'name', 'node', 'desired-state', 'label', 'service'];
  const out: Record<string, string[]> = {};
  for (const f of list) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new CapstanError('USAGE', `bad format of filter (expected name=value): ${f}`);
    const key = f.slice(0, eq);
    if (!allowed.includes(key)) throw new CapstanError('USAGE', `invalid filter '${key}'`, { hint: `supported: ${allowed.join(', ')}` });
    (out[key] ??= []).push(f.slice(eq + 1));
  }
  return out;
}

/** `stack ps STACK`: ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS. */
async function ps(_g: GlobalOptions, flags: StackPsFlags, operands: string[]): Promise<number> {
  const tasks = await stackApi().ps(one(operands, 'ps'), taskFilters(flags.filter ?? []));
  const trunc = flags.trunc !== false;
  const rows = tasks.map((t: StackTaskRow) => ({
    ID: trunc ? t.id.slice(0, 12) : t.id,
    Name: t.name,
    // docker stack ps: the digest only with --no-trunc
    Image: trunc ? t.image.replace(/@sha256:[0-9a-f]+$/, '') : t.image,
    Node: t.node,
    DesiredState: t.desiredState,
    CurrentState: t.currentState,
    Error: trunc && t.error.length > 30 ? `"${t.error.slice(0, 29)}…"` : t.error ? `"${t.error}"` : '',
    Ports: t.ports,
  }));
  if (flags.quiet) {
    for (const r of rows) process.stdout.write(`${r.ID}\n`);
    return 0;
  }
  process.stdout.write(
    format(flags.format, rows, {
      table: 'table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}',
      headers: { ID: 'ID', Name: 'NAME', Image: 'IMAGE', Node: 'NODE', DesiredState: 'DESIRED STATE', CurrentState: 'CURRENT STATE', Error: 'ERROR', Ports: 'PORTS' },
    }),
  );
  return 0;
}

/** `stack rm STACK...`: services, secrets, configs, networks of each stack; `--dry-run` lists them. */
async function rm(g: GlobalOptions, flags: { dryRun?: boolean; detach?: string | boolean }, operands: string[]): Promise<number> {
  if (!operands.length) throw new CapstanError('USAGE', '"stack rm" requires at least 1 argument');
  const api = stackApi();
  const dryRun = Boolean(flags.dryRun || g.dryRun);
  for (const name of operands) {
    process.stderr.write(dryRun ? '' : `Removing stack ${name}\n`);
    const actions = await api.rm(name, { dryRun, wait: !detached(flags.detach), onProgress: (line) => void process.stderr.write(`${line}\n`) });
    if (dryRun) process.stdout.write(formatStackPlan(actions));
  }
  return 0;
}

/** Table (default), `json` (one object per line) or a Go template over `rows`. */
function format(fmt: string | undefined, rows: Record<string, string>[], spec: FormatSpec): string {
  if (fmt === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (fmt === undefined || fmt === 'table') {
    const keys = Object.keys(spec.headers);
    return `${formatTable(keys.map((k) => spec.headers[k]!), rows.map((r) => keys.map((k) => r[k] ?? "")), { minWidth: 10, padding: 3 })}\n`;
  }
  return renderFormat(fmt, rows, spec);
}

/** `capstan stack` and its subcommands. */
export function command(): Command {
  const stack = new Command('stack').description('Manage Swarm stacks (deploy a compose file to a Docker Swarm)');
  stack.addCommand(
    action(
      new Command('deploy')
        .alias('up')
        .description('Deploy a new stack or update an existing stack')
        .argument('[stack]')
        .option('-c, --compose-file <file>', 'path to a compose file, or "-" to read from stdin (repeatable)', collect)
        .option('--prune', 'prune services that are no longer referenced')
        .addOption(new Option('--resolve-image <when>', 'query the registry to resolve image digest and supported platforms').choices(['always', 'changed', 'never']).default('always'))
        .option('--with-registry-auth', 'send registry authentication details to Swarm agents')
        .option('--detach [bool]', 'exit immediately instead of waiting for the stack services to converge (-d; --detach=false waits)', true)
        .addOption(new Option('-d', 'same as --detach').hideHelp())
        .option('--dry-run', 'print the plan; change nothing'),
      deploy,
    ),
  );
  stack.addCommand(action(new Command('ls').alias('list').description('List stacks').option('--format <format>', "'table', 'json' or a Go template"), ls));
  stack.addCommand(
    action(
      new Command('ps')
        .description('List the tasks in the stack')
        .argument('<stack>')
        .option('--no-trunc', 'do not truncate output')
        .option('-f, --filter <filter>', 'filter output based on conditions provided (id, name, node, desired-state, label, service)', collect)
        .option('--format <format>', "'table', 'json' or a Go template")
        .option('-q, --quiet', 'only display task IDs'),
      ps,
    ),
  );
  stack.addCommand(
    action(
      new Command('services').description('List the services in the stack').argument('<stack>').option('--format <format>', "'table', 'json' or a Go template").option('-q, --quiet', 'only display IDs'),
      services,
    ),
  );
  stack.addCommand(action(new Command('rm').aliases(['remove', 'down']).description('Remove one or more stacks').argument('[stack...]').option('--dry-run', 'list what would be removed').option('--detach [bool]', 'do not wait for the stack to be removed (-d; --detach=false waits)', true).addOption(new Option('-d', 'same as --detach').hideHelp()), rm));
  return stack;
}
