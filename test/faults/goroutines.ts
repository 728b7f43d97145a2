/**
 * Reading dockerd's goroutine dump (SIGUSR1; support.ts `PrivateEngine.goroutineStacks`) when an
 * engine hangs under a fault test: which known engine defect it is, or what it waits on.
 */

/**
 * libnetwork's lock-order deadlock in dockerd before 20.10.27 (moby/moby#46661, fixed by
 * moby/libnetwork#2679, the 20.10 backport of moby/moby#42545; Debian bookworm's 20.10.24 has it):
 * `(*network).getSvcRecords` holds a network's lock and waits for the controller's, while
 * `(*controller).processEndpointDelete` holds the controller's and waits for the network's. Many
 * containers of one network joining and leaving at once (a recreate of 20 services) can trigger
 * it; from then on every container start on that engine waits forever, and only a restart of
 * dockerd frees it. Returns the two goroutines' header lines when `stacks` (a dump from
 * support.ts `PrivateEngine.goroutineStacks`) shows it, else undefined.
 */
export function libnetworkDeadlock(stacks: string): string | undefined {
  const blocked = goroutines(stacks).filter((g) => /^goroutine \d+ \[semacquire/.test(g));
  const svcRecords = blocked.find((g) => g.includes('.getSvcRecords('));
  const endpointDelete = blocked.find((g) => g.includes('.processEndpointDelete('));
  return svcRecords && endpointDelete ? `${headOf(svcRecords)}; ${headOf(endpointDelete)}` : undefined;
}

/**
 * The goroutines of a dump that have waited a minute or more, one line each (`headOf`), for a
 * test's failure message when an engine hangs.
 */
export function longBlocked(stacks: string): string {
  return goroutines(stacks)
    .filter((g) => /^goroutine \d+ \[[^\]]*\d+ minutes?\]/.test(g))
    .map((g) => headOf(g))
    .join('\n');
}

const goroutines = (stacks: string): string[] => stacks.split(/\n\s*\n/).map((g) => g.trim());

/**
 * A goroutine's header line, then its function frames (`pkg.(*T).f(...)` lines, arguments elided)
 * from where it waits up to the third caller outside Go's `runtime` and `sync` packages: a wait on
 * a mutex starts with three `sync` frames, and the dockerd code that took the lock comes after.
 */
function headOf(goroutine: string): string {
  const [header, ...rest] = goroutine.split('\n');
  const frames = rest.filter((l) => !/^\s/.test(l)).map((l) => l.replace(/\([^()]*\)$/, '(…)'));
  const waitPoint = frames.findIndex((f) => !/^(runtime|sync)[.(]/.test(f));
  const shown = waitPoint === -1 ? frames : frames.slice(0, waitPoint + 3);
  return `${header} ${shown.join(' ← ')}`;
}
