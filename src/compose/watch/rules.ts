/**
 * `develop.watch` rules (compose-behaviour.md §4 "Setup" and "Matching"): which services are
 * watched, which paths, and for a changed host path, which rules it triggers and where it goes in
 * the container. Pure apart from reading each build context's `.dockerignore` once at setup.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CapstanError } from '../../errors.js';
import type { Project, ServiceConfig, WatchRule } from '../../model/types.js';
import dockerignore from '@balena/dockerignore';
import { hookEnvironment, type ContainerHook } from '../hooks.js';

type Ignorer = { ignores(path: string): boolean };

/** The actions of a watch rule. */
export type WatchAction = WatchRule['action'];

/** One rule ready to match: its service, index in the service's `develop.watch`, absolute path. */
export interface CompiledRule {
  service: string;
  /** Index in the service's `develop.watch` list (for messages: `web` rule 0). */
  index: number;
  action: WatchAction;
  /** Absolute host path watched (a directory or a file). */
  path: string;
  /** Container path (`/`-separated); undefined only for `rebuild`. */
  target?: string;
  initialSync: boolean;
  /** The `sync+exec` hook. */
  exec?: ContainerHook;
  include?: Ignorer;
  ignore: Ignorer;
  /** The build context's `.dockerignore` (patterns relative to the context). */
  dockerignore?: { context: string; matcher: Ignorer };
}

/** Why a path does or does not trigger a rule (`watch --dry-run`). */
export type RuleVerdict =
  | { match: true; containerPath?: string }
  | { match: false; reason: 'outside' | 'not included' | '.dockerignore' | '.git' | 'editor temp file' | 'ignore' };

/** What {@link compileRules} found: the rules, the paths to watch, and warnings to show. */
export interface WatchSetup {
  rules: CompiledRule[];
  /** Absolute paths to watch, without those inside another one. */
  roots: string[];
  warnings: string[];
}

/**
 * Editor and tool temp files never trigger anything (compose's built-in list): JetBrains
 * (`*___jb_old___`, `*___jb_tmp___`, `.idea/`), emacs (`.#*`, `#*#`), vim (`4913`, `*~`,
 * `.*.swp|swx|swo|swn`), kate (`.*.kate-swp`), Go (`*-go-tmp-umask`).
 */
export function isEditorTempFile(relPath: string): boolean {
  const parts = relPath.split('/');
  if (parts.slice(0, -1).includes('.idea') || parts.at(-1) === '.idea') return true;
  const base = parts.at(-1) ?? '';
  return (
    base.endsWith('___jb_old___') ||
    base.endsWith('___jb_tmp___') ||
    base.startsWith('.#') ||
    (base.length > 1 && base.startsWith('#') && base.endsWith('#')) ||
    base === '4913' ||
    base.endsWith('~') ||
    /^\..*\.(swp|swx|swo|swn|kate-swp)$/.test(base) ||
    base.endsWith('-go-tmp-umask')
  );
}

const toSlash = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/** `child` relative to `parent` with `/` separators; undefined when it is not inside (or is) `parent`. */
function inside(parent: string, child: string): string | undefined {
  if (child === parent) return '';
  const rel = relative(parent, child);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return toSlash(rel);
}

/**
 * Whether `file` triggers `rule`, and why not: it must be under the rule's path, match `include`
 * when given, and match none of the build context's `.dockerignore`, `.git/`, the editor temp
 * files, and the rule's `ignore` (relative to its path). The container path is
 * `target + rel(path, file)`.
 */
export function verdict(rule: CompiledRule, file: string): RuleVerdict {
  const rel = inside(rule.path, file);
  if (rel === undefined) return { match: false, reason: 'outside' };
  if (rule.include && rel !== '' && !rule.include.ignores(rel)) return { match: false, reason: 'not included' };
  if (rule.dockerignore) {
    const inContext = inside(rule.dockerignore.context, file);
    if (inContext && rule.dockerignore.matcher.ignores(inContext)) return { match: false, reason: '.dockerignore' };
  }
  const parts = (rel || toSlash(file)).split('/');
  if (parts.includes('.git')) return { match: false, reason: '.git' };
  if (isEditorTempFile(rel || (parts.at(-1) ?? ''))) return { match: false, reason: 'editor temp file' };
  if (rel !== '' && rule.ignore.ignores(rel)) return { match: false, reason: 'ignore' };
  if (rule.target === undefined) return { match: true };
  const target = rule.target.replace(/\/+$/, '') || '/';
  return { match: true, containerPath: rel === '' ? target : target === '/' ? `/${rel}` : `${target}/${rel}` };
}

/** One triggered rule for a path. */
export interface RuleMatch {
  rule: CompiledRule;
  /** Where the path goes in the container (not for `rebuild`). */
  containerPath?: string;
}

/** The rules `file` triggers, in rule order. */
export function matchRules(rules: readonly CompiledRule[], file: string): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const rule of rules) {
    const v = verdict(rule, file);
    if (v.match) out.push({ rule, ...(v.containerPath !== undefined ? { containerPath: v.containerPath } : {}) });
  }
  return out;
}

/** Options of {@link compileRules}. */
export interface CompileOptions {
  /** Services to watch (all when empty). */
  services?: string[];
  /** `--no-build` was given: incompatible with `rebuild` rules. */
  noBuild?: boolean;
  /** Reads a build context's `.dockerignore` (default: from disk; '' when absent). */
  readDockerignore?: (context: string) => string;
}

function readIgnore(context: string): string {
  try {
    return readFileSync(join(context, '.dockerignore'), 'utf8');
  } catch {
    return '';
  }
}

function matcher(patterns: readonly string[]): Ignorer {
  return dockerignore().add([...patterns]);
}

/** A service's watch rules: `develop.watch`, else the deprecated `x-develop` extension (with a warning). */
function serviceRules(project: Project, service: ServiceConfig, warnings: string[]): WatchRule[] | undefined {
  if (service.develop?.watch) return service.develop.watch;
  const legacy = service.extensions?.['x-develop'] as { watch?: unknown } | undefined;
  if (!legacy || typeof legacy !== 'object') return undefined;
  warnings.push('x-develop is DEPRECATED, please use the official `develop` attribute');
  if (!Array.isArray(legacy.watch)) return [];
  return legacy.watch.map((raw: Record<string, unknown>) => {
    const rule = { ...raw } as unknown as WatchRule & Record<string, unknown>;
    if (typeof rule.path === 'string' && !isAbsolute(rule.path)) rule.path = resolve(project.workingDir, rule.path);
    for (const key of ['ignore', 'include'] as const) if (typeof rule[key] === 'string') rule[key] = [rule[key] as unknown as string];
    return rule;
  });
}

/**
 * Reads the watch rules of the selected services (compose's `watch()` setup), checking them:
 * `path` and `action` required, `target` required except for `rebuild`, `rebuild` needs `build:`
 * (and no `--no-build`), `sync+exec` needs an `exec.command`. A `sync`/`sync+restart` rule whose
 * path a bind mount already covers is left out with a warning.
 *
 * @throws CapstanError VALIDATION for a bad rule (naming the service and rule index), USAGE for
 *   `--no-build` with a rebuild rule or an unknown service, VALIDATION when no selected service
 *   has a `develop` section.
 */
export function compileRules(project: Project, options: CompileOptions = {}): WatchSetup {
  const names = options.services?.length ? options.services : Object.keys(project.services);
  const warnings: string[] = [];
  const rules: CompiledRule[] = [];
  let configured = false;
  for (const name of names) {
    const service = project.services[name];
    if (!service) throw new CapstanError('USAGE', `no such service: ${name}`);
    const list = serviceRules(project, service, warnings);
    if (!list) continue;
    configured = true;
    const context = service.build?.context && !/^[a-z]+:\/\//i.test(service.build.context) ? service.build.context : undefined;
    const ignoreText = context ? (options.readDockerignore ?? readIgnore)(context) : '';
    const docker = context && ignoreText.trim() ? { context, matcher: matcher(ignoreText.split(/\r?\n/)) } : undefined;
    list.forEach((rule, index) => {
      const where = `service "${name}": develop.watch[${index}]`;
      if (!rule || typeof rule.path !== 'string' || !rule.path) throw new CapstanError('VALIDATION', `${where}: watch rules MUST define a path`);
      const actions: WatchAction[] = ['rebuild', 'sync', 'restart', 'sync+restart', 'sync+exec'];
      if (!actions.includes(rule.action)) {
        throw new CapstanError('VALIDATION', `${where}.action: invalid action ${JSON.stringify(rule.action)}`, { hint: `one of ${actions.join(', ')}` });
      }
      if (rule.action !== 'rebuild' && !rule.target) {
        throw new CapstanError('VALIDATION', `${where}: action ${rule.action} requires a target`, { hint: 'add target: the path in the container' });
      }
      if (rule.action === 'rebuild') {
        if (!service.build) throw new CapstanError('VALIDATION', `can't watch service "${name}" with action rebuild without a build context`);
        if (options.noBuild) throw new CapstanError('USAGE', `--no-build is incompatible with watch action rebuild in service ${name}`);
      }
      let exec: ContainerHook | undefined;
      if (rule.action === 'sync+exec') {
        const command = Array.isArray(rule.exec?.command) ? rule.exec.command.map(String) : [];
        if (!command.length) throw new CapstanError('VALIDATION', `can't watch with action "sync+exec" on service ${name} without a command`);
        exec = { command };
        const x = rule.exec!;
        if (x.user !== undefined && x.user !== null) exec.user = String(x.user);
        if (x.privileged === true) exec.privileged = true;
        if (x.working_dir) exec.working_dir = String(x.working_dir);
        const env = hookEnvironment(x.environment, project.environment);
        if (env.length) exec.environment = env;
      }
      const path = resolve(rule.path);
      if ((rule.action === 'sync' || rule.action === 'sync+restart') && boundPath(service, path)) {
        warnings.push(`path '${rule.path}' also declared by a bind mount volume, this path won't be monitored!`);
        return;
      }
      const legacyInitial = rule.extensions?.['x-initialSync'] === true;
      if (legacyInitial) warnings.push('x-initialSync is DEPRECATED, please use the official `initial_sync` attribute');
      rules.push({
        service: name,
        index,
        action: rule.action,
        path,
        ...(rule.target ? { target: rule.target } : {}),
        initialSync: rule.initial_sync === true || legacyInitial,
        ...(exec ? { exec } : {}),
        ...(rule.include?.length ? { include: matcher(rule.include) } : {}),
        ignore: matcher(rule.ignore ?? []),
        ...(docker ? { dockerignore: docker } : {}),
      });
    });
  }
  if (!configured) {
    throw new CapstanError('VALIDATION', "none of the selected services is configured for watch, consider setting a 'develop' section");
  }
  return { rules, roots: watchRoots(rules.map((r) => r.path)), warnings };
}

/** Whether a bind mount of `service` already covers `path`. */
function boundPath(service: ServiceConfig, path: string): boolean {
  return (service.volumes ?? []).some((v) => v.type === 'bind' && v.source && inside(resolve(v.source), path) !== undefined);
}

/** The paths to watch: unique, without those inside another one. */
export function watchRoots(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  for (const p of sorted) if (!out.some((root) => inside(root, p) !== undefined)) out.push(p);
  return out;
}
