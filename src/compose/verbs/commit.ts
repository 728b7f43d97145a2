/**
 * `commit SERVICE [REPOSITORY[:TAG]]` (compose's `pkg/compose/commit.go`): a new image from a
 * service container's changes, `POST /commit`.
 */
import { CapstanError } from '../../errors.js';
import type { Project } from '../../model/types.js';
import type { Engine } from '../../engine/types.js';
import type { EventSink } from '../events.js';
import { runningServiceContainer } from './export.js';

/** Options of {@link commitContainer} (docker compose commit's flags). */
export interface CommitOptions {
  /** `--index`: container #N of the service; default the lowest-numbered one. */
  index?: number;
  /** `REPOSITORY[:TAG]` of the new image; none: untagged. */
  reference?: string;
  /** `-a`: author. */
  author?: string;
  /** `-m`: commit message. */
  message?: string;
  /** `-c`: Dockerfile instructions applied to the image (`CMD ["sh"]`, `ENV A=1`…). */
  changes?: string[];
  /** `-p`: pause the container while committing; default true. */
  pause?: boolean;
  /** `--dry-run`: report, commit nothing. */
  dryRun?: boolean;
}

/** What {@link commitContainer} made: the container committed and the new image's ID (`''` in a dry run). */
export interface CommitResult {
  container: string;
  imageId: string;
}

/**
 * `REPOSITORY[:TAG]` split at the last `:` that is not part of a registry host (`host:5000/repo`).
 * @throws CapstanError USAGE for an empty repository or tag.
 */
export function splitReference(reference: string): { repo: string; tag?: string } {
  const colon = reference.lastIndexOf(':');
  if (colon < 0 || reference.indexOf('/', colon) >= 0) return { repo: reference };
  const repo = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  if (!repo || !tag) throw new CapstanError('USAGE', `invalid reference format: ${reference}`);
  return { repo, tag };
}

/**
 * Commits the service's running container.
 * @throws CapstanError USAGE for an unknown service or a bad reference; NOT_FOUND when no such
 *   container runs; EngineError from `POST /commit` (400 for a bad `-c` instruction).
 */
export async function commitContainer(engine: Engine, emit: EventSink, project: Project, service: string, options: CommitOptions = {}): Promise<CommitResult> {
  if (!engine.commitContainer) throw new CapstanError('UNSUPPORTED', 'this engine cannot commit a container');
  const ref = options.reference ? splitReference(options.reference) : undefined;
  const c = await runningServiceContainer(engine, project, service, options.index);
  emit({ type: 'progress', resource: 'container', id: c.name, status: 'Committing', done: false });
  const started = Date.now();
  let imageId = '';
  if (!options.dryRun) {
    imageId = await engine.commitContainer(c.id, {
      ...(ref ? { repo: ref.repo, ...(ref.tag ? { tag: ref.tag } : {}) } : {}),
      ...(options.message ? { comment: options.message } : {}),
      ...(options.author ? { author: options.author } : {}),
      ...(options.changes?.length ? { changes: options.changes } : {}),
      pause: options.pause !== false,
    });
  }
  emit({ type: 'progress', resource: 'container', id: c.name, status: imageId ? `Committed as ${imageId}` : 'Committed', done: true, elapsed: (Date.now() - started) / 1000 });
  return { container: c.name, imageId };
}
