import type { Engine, ContainerSummary, Network, Volume } from '../engine/types.js';
import { Label, projectFilter } from './labels.js';
import { compareStrings } from './compare.js';
import { CapstanError, EngineError } from '../errors.js';

/**
 * Observed state: what exists in the engine for one project, read back from the
 * `com.docker.compose.*` labels only (compose `observed_state.go`). Capstan keeps no state file.
 */
export interface ObservedState {
  project: string;
  containers: ObservedContainer[];
  /** Networks by engine name: those carrying the project label, plus declared names found unlabelled. */
  networks: Map<string, ObservedResource>;
  /** Volumes by engine name, likewise. */
  volumes: Map<string, ObservedResource>;
  /**
   * Labelled networks that share their name with the one in {@link networks} (two runs created
   * it at once; the engine then refuses the name as ambiguous), by name. The one kept in
   * `networks` is the one most of the project's containers are attached to, else the oldest.
   */
  duplicateNetworks?: Map<string, ObservedResource[]>;
  /** Image IDs by image reference; `undefined` when the image is not present. */
  images: Map<string, string | undefined>;
  /** When each present image was last pulled or tagged (else created), ms since the epoch (refresh pull policies). */
  imageTimes?: Map<string, number>;
  /**
   * The paths each present image declares as volumes (`Config.Volumes`, from a Dockerfile
   * `VOLUME`), by image reference: a recreated container keeps the old one's volume there.
   */
  imageVolumes?: Map<string, string[]>;
  /**
   * `pre_start` hook containers (label `com.docker.compose.hook`): kept apart from `containers`,
   * which they are not; `down` removes them. Absent when not listed.
   */
  hookContainers?: ObservedContainer[];
}

/** One container of the project as the engine lists it, with its Compose labels decoded. */
export interface ObservedContainer {
  id: string;
  name: string;
  service: string;
  number: number;
  oneoff: boolean;
  /** The hook type of a hook container (`pre_start`); undefined for service and one-off containers. */
  hook?: string;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  status: string;
  labels: Record<string, string>;
  image: string;
  /** Anonymous and named volume mounts: destination → volume name. */
  volumes: Record<string, string>;
  /** Engine names of the networks the container is attached to. */
  networks: string[];
  /** The engine's list entry, for views that show more (`ps`). */
  summary: ContainerSummary;
}

/** A network or volume found by name or by the project label. */
export interface ObservedResource {
  name: string;
  id: string;
  labels: Record<string, string>;
  /** Carries this project's label: Capstan may change or remove it. */
  managed: boolean;
  /** The engine's list entry (driver, options, IPAM…), to tell which declared attribute drifted. */
  network?: Network;
  /** Likewise for a volume. */
  volume?: Volume;
}

/** What the project label alone finds: containers (with one-offs), networks, volumes. */
export interface LabelledResources {
  project: string;
  containers: ObservedContainer[];
  networks: Network[];
  volumes: Volume[];
}

/**
 * The three label-filtered list calls (`GET /containers/json`, `/networks`, `/volumes`), in
 * parallel. Needs only the project name, so a command can start it while the compose file is
 * still being loaded and hand the promise to {@link observe}.
 */
export async function listLabelled(engine: Engine, project: string): Promise<LabelledResources> {
  const filter = projectFilter(project);
  const [containers, networks, volumes] = await Promise.all([
    listProjectContainers(engine, project, { all: true, oneoff: true, hooks: true }),
    engine.listNetworks(filter),
    engine.listVolumes(filter),
  ]);
  return { project, containers, networks, volumes };
}

/**
 * An image the engine refused to look up (`GET /images/{name}/json`), named after the services
 * that use it: `service "web": invalid image reference "BusyBox:Latest": repository name must be
 * lowercase` (VALIDATION). Other errors keep their code and gain the service names.
 */
export function imageError(ref: string, services: string[], err: unknown): unknown {
  if (!(err instanceof CapstanError) || !services.length) return err;
  const who = services.length === 1 ? `service "${services[0]}"` : `services ${services.map((s) => `"${s}"`).join(', ')}`;
  const reason = err instanceof EngineError ? err.daemonMessage : err.message;
  const invalid = /invalid reference format:?\s*(.*)$/.exec(reason);
  if (invalid) {
    return new CapstanError('VALIDATION', `${who}: invalid image reference "${ref}"${invalid[1] ? `: ${invalid[1]}` : ''}`, {
      hint: /lowercase/.test(reason) ? `image repositories are lowercase: ${ref.replace(/^[^:@]+/, (r) => r.toLowerCase())}` : 'fix the `image:` value',
      cause: err,
    });
  }
  return new CapstanError(err.code, `${who}: image ${ref}: ${reason}`, { hint: err.hint, details: err.details, exitCode: err.exitCode, cause: err });
}

/**
 * Read the project's containers, networks and volumes (one list call each, in parallel), plus
 * the declared network/volume names that exist without our label, plus the given images.
 *
 * @param labelled the result of {@link listLabelled} started earlier for the same project
 *   (ignored when it is for another project).
 */
export async function observe(
  engine: Engine,
  project: string,
  declared: { networks?: string[]; volumes?: string[]; images?: string[]; imageUsers?: Record<string, string[]> } = {},
  labelled?: Promise<LabelledResources>,
): Promise<ObservedState> {
  const [found, images] = await Promise.all([
    labelled?.then((l) => (l.project === project ? l : listLabelled(engine, project))) ?? listLabelled(engine, project),
    Promise.all(
      [...new Set(declared.images ?? [])].map(async (ref) => {
        try {
          return [ref, await engine.inspectImage(ref)] as const;
        } catch (err) {
          throw imageError(ref, declared.imageUsers?.[ref] ?? [], err);
        }
      }),
    ),
  ]);
  // when each image was last pulled (tagged), else created: the refresh pull policies compare it
  const imageTimes = new Map<string, number>();
  for (const [ref, image] of images) {
    const lastTag = (image as { Metadata?: { LastTagTime?: string } } | undefined)?.Metadata?.LastTagTime;
    const time = Date.parse(lastTag && !lastTag.startsWith('0001-') ? lastTag : image?.Created ?? '');
    if (!Number.isNaN(time)) imageTimes.set(ref, time);
  }
  const { containers, networks, volumes } = found;
  const state: ObservedState = {
    project,
    containers: containers.filter((c) => !c.hook),
    hookContainers: containers.filter((c) => c.hook),
    networks: new Map(),
    volumes: new Map(),
    images: new Map(images.map(([ref, image]) => [ref, image?.Id] as const)),
    imageTimes,
    imageVolumes: new Map(images.flatMap(([ref, image]) => (image?.Config?.Volumes ? [[ref, Object.keys(image.Config.Volumes)] as const] : []))),
  };
  const byName = new Map<string, Network[]>();
  for (const n of networks) {
    if (n.Name && n.Labels?.[Label.project] === project) byName.set(n.Name, [...(byName.get(n.Name) ?? []), n]);
  }
  for (const [name, copies] of byName) {
    const [kept, ...extras] = copies.length > 1 ? rankDuplicates(copies, containers) : copies;
    const resource = (n: Network): ObservedResource => ({ name, id: n.Id ?? name, labels: n.Labels ?? {}, managed: true, network: n });
    state.networks.set(name, resource(kept!));
    if (extras.length) (state.duplicateNetworks ??= new Map()).set(name, extras.map(resource));
  }
  for (const v of volumes) {
    if (v.Labels?.[Label.project] === project) {
      state.volumes.set(v.Name, { name: v.Name, id: v.Name, labels: v.Labels ?? {}, managed: true, volume: v });
    }
  }
  const missingNetworks = (declared.networks ?? []).filter((n) => !state.networks.has(n));
  const missingVolumes = (declared.volumes ?? []).filter((v) => !state.volumes.has(v));
  const [otherNetworks, otherVolumes] = await Promise.all([
    missingNetworks.length ? engine.listNetworks({ name: missingNetworks }) : [],
    missingVolumes.length ? engine.listVolumes({ name: missingVolumes }) : [],
  ]);
  for (const n of otherNetworks) {
    // The name filter matches substrings: keep exact names only.
    if (n.Name && missingNetworks.includes(n.Name)) {
      state.networks.set(n.Name, { name: n.Name, id: n.Id ?? n.Name, labels: n.Labels ?? {}, managed: false });
    }
  }
  for (const v of otherVolumes) {
    if (missingVolumes.includes(v.Name)) {
      state.volumes.set(v.Name, { name: v.Name, id: v.Name, labels: v.Labels ?? {}, managed: false });
    }
  }
  return state;
}

/** Networks of one name, the one to keep first: most project containers attached, then the oldest. */
function rankDuplicates(copies: Network[], containers: ObservedContainer[]): Network[] {
  const attached = (n: Network): number =>
    containers.filter((c) => Object.values(c.summary.NetworkSettings?.Networks ?? {}).some((e) => e.NetworkID === n.Id)).length;
  const created = (n: Network): number => Date.parse(n.Created ?? '') || 0;
  return [...copies].sort((a, b) => attached(b) - attached(a) || created(a) - created(b) || compareStrings(a.Id ?? '', b.Id ?? ''));
}

/** The project container's attachments to networks in `ids` (engine network IDs), by network name. */
export function attachedTo(container: ObservedContainer, ids: Set<string>): string[] {
  return Object.entries(container.summary.NetworkSettings?.Networks ?? {})
    .filter(([, e]) => e.NetworkID !== undefined && ids.has(e.NetworkID))
    .map(([name]) => name);
}

/**
 * The project's containers (`GET /containers/json` filtered by the project label), decoded and
 * sorted by service then replica number. The one place Capstan lists containers.
 *
 * @param options.all include stopped containers; `oneoff` include `run` containers;
 *   `services` only these services (all when absent or empty); `hooks` include `pre_start` hook
 *   containers (left out otherwise: they are neither replicas nor one-offs).
 */
export async function listProjectContainers(
  engine: Engine,
  project: string,
  options: { all?: boolean; oneoff?: boolean; services?: string[]; hooks?: boolean } = {},
): Promise<ObservedContainer[]> {
  const list = await engine.listContainers({ all: options.all ?? true, filters: projectFilter(project) });
  return list
    .filter((c) => c.Labels?.[Label.project] === project)
    .map(toObservedContainer)
    .filter((c) => (options.hooks || !c.hook) && (options.oneoff || !c.oneoff) && (!options.services?.length || options.services.includes(c.service)))
    .sort((a, b) => compareStrings(a.service, b.service) || a.number - b.number);
}

function toObservedContainer(c: ContainerSummary): ObservedContainer {
  const labels = c.Labels ?? {};
  const volumes: Record<string, string> = {};
  for (const m of c.Mounts ?? []) {
    if (m.Type === 'volume' && m.Name && m.Destination) volumes[m.Destination] = m.Name;
  }
  return {
    id: c.Id ?? '',
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    service: labels[Label.service] ?? '',
    number: Number(labels[Label.containerNumber] ?? 0),
    oneoff: labels[Label.oneoff] === 'True',
    ...(labels[Label.hook] ? { hook: labels[Label.hook] } : {}),
    state: c.State ?? '',
    status: c.Status ?? '',
    labels,
    image: c.Image ?? '',
    volumes,
    networks: Object.keys(c.NetworkSettings?.Networks ?? {}),
    summary: c,
  };
}
