import { CapstanError } from '../../errors.js';
import type { Engine } from '../../engine/types.js';
import { compareStrings } from '../compare.js';
import { Label } from '../labels.js';

/** Options of {@link listProjects} (`ls`): `-a` (stopped projects too), `--filter name=…`. */
export interface LsOptions {
  /** Include projects whose containers are all stopped (`-a`). */
  all?: boolean;
  /** `--filter name=PATTERN` values: a project is kept when any pattern (a regular expression) matches its name. */
  names?: string[];
}

/** One project as `ls` reports it (compose's `Stack` view). */
export interface ProjectSummary {
  name: string;
  /** State counts, states sorted: `exited(1), running(2)`. */
  status: string;
  /** The config files its containers were created from, comma-separated, first seen first. */
  configFiles: string;
}

/**
 * `ls`: every Compose project the engine knows, grouped from the `com.docker.compose.project`
 * label of its containers (`GET /containers/json?filters={"label":["com.docker.compose.project"]}`),
 * sorted by name (compose's pkg/compose/ls.go). Config files come from the
 * `com.docker.compose.project.config_files` label.
 * @throws CapstanError USAGE for a `--filter name=` value that is not a regular expression.
 */
export async function listProjects(engine: Engine, options: LsOptions = {}): Promise<ProjectSummary[]> {
  const patterns = (options.names ?? []).map(namePattern);
  const containers = await engine.listContainers({ all: options.all ?? false, filters: { label: [Label.project] } });
  const byProject = new Map<string, { states: Map<string, number>; files: string[] }>();
  for (const c of containers) {
    const name = c.Labels?.[Label.project];
    if (name === undefined) continue;
    let p = byProject.get(name);
    if (!p) byProject.set(name, (p = { states: new Map(), files: [] }));
    const state = c.State ?? '';
    p.states.set(state, (p.states.get(state) ?? 0) + 1);
    for (const f of (c.Labels?.[Label.configFiles] ?? '').split(',')) {
      if (f && !p.files.includes(f)) p.files.push(f);
    }
  }
  return [...byProject.entries()]
    .filter(([name]) => !patterns.length || patterns.some((re) => re.test(name)))
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, p]) => ({
      name,
      status: [...p.states.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([s, n]) => `${s}(${n})`).join(', '),
      configFiles: p.files.join(','),
    }));
}

/** A `--filter name=` value as a regular expression. @throws CapstanError USAGE when it is not one. */
function namePattern(value: string): RegExp {
  try {
    return new RegExp(value);
  } catch {
    throw new CapstanError('USAGE', `--filter name=${value}: not a valid regular expression`);
  }
}
