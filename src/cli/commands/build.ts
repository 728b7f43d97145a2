import { interruptSignals, loadFromGlobals, session, type GlobalOptions } from '../context.js';

/** `capstan build [SERVICE...]`: build the images of services that have `build:`. */
export async function run(g: GlobalOptions, flags: { quiet?: boolean }, services: string[]): Promise<number> {
  const project = await loadFromGlobals(g);
  const { compose, progress } = session(flags.quiet ? { ...g, progress: 'quiet' } : g, 'Building');
  const interrupt = interruptSignals();
  try {
    await compose.build(project, { services, signal: interrupt.signal });
  } finally {
    progress.close();
    interrupt.dispose();
  }
  return 0;
}
