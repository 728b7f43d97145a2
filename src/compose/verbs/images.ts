import type { Engine } from '../../engine/types.js';
import { compareStrings } from '../compare.js';
import { listProjectContainers } from '../observed.js';

/** Options of {@link containerImages} (`images`): services (all when empty). */
export interface ImagesOptions {
  services?: string[];
}

/** The image a container runs, as `images` reports it (compose's `ImageSummary`). */
export interface ContainerImage {
  containerName: string;
  /** Full image ID, `sha256:…`. */
  id: string;
  /** Empty when the image has no name (compose prints `<none>`). */
  repository: string;
  tag: string;
  /** `os/arch[/variant]`. */
  platform: string;
  /** Bytes. */
  size: number;
  /** When the image was built (RFC 3339), `undefined` when the engine does not say. */
  created: string | undefined;
  /** When the image was last tagged (RFC 3339, the inspect's `Metadata.LastTagTime`), `undefined` when never (Go's zero time). */
  lastTagTime?: string;
}

/**
 * `images`: the image of each of the project's containers, stopped and one-off `run` ones
 * included (compose's pkg/compose/images.go lists every container with the project label), sorted by
 * container name. Repository and tag come from the reference the container was created with,
 * else the image's first tag; the rest from `GET /images/{id}/json`.
 * @throws EngineError when the engine cannot be reached.
 */
export async function containerImages(engine: Engine, project: string, options: ImagesOptions = {}): Promise<ContainerImage[]> {
  const containers = await listProjectContainers(engine, project, { all: true, oneoff: true, services: options.services });
  const inspected = new Map<string, ReturnType<Engine['inspectImage']>>();
  const rows = await Promise.all(
    containers.map(async (c) => {
      const ref = c.summary.ImageID || c.image;
      let pending = inspected.get(ref);
      if (!pending) inspected.set(ref, (pending = engine.inspectImage(ref)));
      const image = await pending;
      const named = c.image.startsWith('sha256:') ? (image?.RepoTags?.[0] ?? '') : c.image;
      const { repository, tag } = splitReference(named);
      const variant = (image as { Variant?: string } | undefined)?.Variant;
      return {
        containerName: c.name,
        id: image?.Id ?? c.summary.ImageID ?? '',
        repository,
        tag,
        platform: image ? [image.Os, image.Architecture, variant].filter(Boolean).join('/') : '',
        size: image?.Size ?? 0,
        created: image?.Created || undefined,
        ...lastTagged(image?.Metadata?.LastTagTime),
      };
    }),
  );
  return rows.sort((a, b) => compareStrings(a.containerName, b.containerName));
}

/** `{ lastTagTime }` unless the engine's time is missing or Go's zero time (`0001-01-01T00:00:00Z`). */
function lastTagged(time: string | null | undefined): { lastTagTime?: string } {
  return time && !time.startsWith('0001-01-01') ? { lastTagTime: time } : {};
}

/** `registry:5000/a/b:tag` → repository `registry:5000/a/b`, tag `tag`; no tag → `latest`; digests drop. */
export function splitReference(ref: string): { repository: string; tag: string } {
  if (!ref) return { repository: '', tag: '' };
  const name = ref.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repository: name, tag: ref.includes('@') ? '' : 'latest' };
}
