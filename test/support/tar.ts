import { Readable } from 'node:stream';
import { Parser } from 'tar';

/**
 * The files of a tar archive (a build context, a `PUT /containers/{id}/archive` body) as
 * `{ path: content }`, paths without a leading `./`, contents as UTF-8 text.
 */
export async function tarEntries(tar: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const parser = new Parser();
  parser.on('entry', (e) => {
    const chunks: Buffer[] = [];
    e.on('data', (c: Buffer) => chunks.push(c));
    e.on('end', () => (out[e.path.replace(/^\.\//, '')] = Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
    Readable.from([tar]).pipe(parser);
  });
  return out;
}
