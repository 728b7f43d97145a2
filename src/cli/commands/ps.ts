import { CapstanError } from '../../errors.js';
import type { ContainerRow } from '../../compose/compose.js';
import { formatTable } from '../../ui/table.js';
import { loadOrLabels, session, type GlobalOptions } from '../context.js';

/**
 * `capstan ps [SERVICE...]`: the table docker compose prints (NAME IMAGE COMMAND SERVICE CREATED
 * STATUS PORTS), or `--format json`: one JSON object per line with compose's key names.
 */
export async function run(
  g: GlobalOptions,
  flags: { all?: boolean; format?: string; quiet?: boolean; services?: boolean },
  services: string[],
): Promise<number> {
  const { compose } = session(g);
  const project = await loadOrLabels(g, compose);
  for (const s of services) {
    if (!(s in project.services) && !(s in project.disabledServices)) throw new CapstanError('USAGE', `no such service: ${s}`);
  }
  const rows = await compose.ps(project.name, { all: flags.all, services });
  const out = process.stdout;
  if (flags.quiet) {
    for (const r of rows) out.write(`${r.id}\n`);
  } else if (flags.services) {
    for (const s of [...new Set(rows.map((r) => r.service))]) out.write(`${s}\n`);
  } else if (flags.format === 'json') {
    for (const r of rows) out.write(`${JSON.stringify(toJson(r))}\n`);
  } else if (!flags.format || flags.format === 'table') {
    const table = rows.map((r) => [r.name, r.image, quoteCommand(r.command), r.service, ago(r.created), r.status, ports(r)]);
    out.write(`${formatTable(['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], table)}\n`);
  } else {
    throw new CapstanError('USAGE', `--format: "${flags.format}" is not supported`, { hint: 'use table or json' });
  }
  return 0;
}

function toJson(r: ContainerRow): Record<string, unknown> {
  return {
    Command: quoteCommand(r.command),
    CreatedAt: goTime(r.created),
    ExitCode: r.exitCode,
    Health: r.health,
    ID: r.id,
    Image: r.image,
    Labels: Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(r.mounts.filter((m) => m.local).length),
    Mounts: r.mounts.map((m) => m.name).join(','),
    Name: r.name,
    Names: r.name,
    Networks: r.networks.join(','),
    Ports: ports(r),
    Project: r.project,
    Publishers: r.publishers,
    RunningFor: ago(r.created),
    Service: r.service,
    Size: '0B',
    State: r.state,
    Status: r.status,
  };
}

function quoteCommand(command: string): string {
  const short = command.length > 20 ? `${command.slice(0, 19)}…` : command;
  return `"${short}"`;
}

/** `0.0.0.0:8000->5000/tcp, :::8000->5000/tcp`, as docker prints published ports. */
function ports(r: ContainerRow): string {
  return r.publishers
    .slice()
    .sort((a, b) => a.TargetPort - b.TargetPort || (a.URL < b.URL ? -1 : a.URL > b.URL ? 1 : 0))
    .map((p) => (p.PublishedPort ? `${p.URL.includes(':') ? `[${p.URL}]` : p.URL}:${p.PublishedPort}->${p.TargetPort}/${p.Protocol}` : `${p.TargetPort}/${p.Protocol}`))
    .join(', ');
}

/** `5 seconds ago`, `About a minute ago`: docker's go-units HumanDuration plus " ago". */
function ago(created: number, now = Date.now() / 1000): string {
  return `${humanDuration(Math.max(0, now - created))} ago`;
}

function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(seconds / 3600 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

/** Go's default time layout in UTC, as docker prints `CreatedAt`: `2026-11-21 06:10:09 +0000 UTC`. */
function goTime(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}
