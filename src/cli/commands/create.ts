import { run as up, type UpFlags } from './up.js';
import type { GlobalOptions } from '../context.js';

/** `capstan create [SERVICE...]`: `up --no-start` (compose-behaviour.md §3.16). */
export async function run(g: GlobalOptions, flags: UpFlags, services: string[]): Promise<number> {
  return up(g, { ...flags, start: false, detach: true }, services);
}
