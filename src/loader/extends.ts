/**
 * `extends` stage (compose-behaviour.md §3.7): a service inherits from another service of the
 * same file or of `extends.file`, recursively; the result is `merge(base, local)` with the merge
 * rules of §3.6 and `extends` is removed. Cycles are errors. Referenced networks, volumes, … of
 * the base file are not imported.
 *
 * Directories, as in compose-go: in a file of the project (an `-f` file or an included file),
 * `extends.file` is relative to the project directory ({@link ExtendsContext.dir}); inside a
 * file loaded as a base, it is relative to that base file's directory. A base service loaded
 * from another directory has its relative paths rebased onto the extending side's directory.
 * `!reset` / `!override` written in a base file apply to that file's own `extends` chain.
 */
import { dirname, resolve } from 'node:path';
import { LoaderError } from '../errors.js';
import { isPlainObject, mergeLayers, stripMarkers } from './merge.js';
import { rebaseService } from './paths.js';

type Plain = Record<string, unknown>;

/** What {@link applyExtends} needs to know about the file being processed. */
export interface ExtendsContext {
  /** Absolute path of the file the model came from (`-` for stdin). */
  file: string;
  /**
   * Directory relative `extends.file` values of this model resolve against, and the one its
   * relative paths are written from: the project directory (compose-go's working directory; the
   * include's project directory for an included file).
   */
  dir: string;
  /**
   * Raw model of another compose file, by absolute path: parsed and interpolated, nothing else.
   * It may keep its `!reset` / `!override` markers (they then apply within that file's own
   * `extends` chain, as in compose-go); a marker-free model works too.
   */
  loadBase: (file: string) => Promise<Plain>;
  /** Rebase inherited relative paths to absolute ones instead of relative ones. */
  absolutePaths?: boolean;
}

interface Frame {
  file: string;
  dir: string;
  model: Plain;
}

/**
 * Resolve `extends` for every service of `model`.
 *
 * @returns a new model whose services carry no `extends`.
 * @throws {LoaderError} for a missing base service or file, a malformed `extends`, or a cycle
 *   (`Circular reference: a -> b -> a`).
 */
export async function applyExtends(model: Plain, ctx: ExtendsContext): Promise<Plain> {
  if (!isPlainObject(model.services)) return model;
  const services = model.services;
  if (!Object.values(services).some((s) => isPlainObject(s) && s.extends !== undefined && s.extends !== null)) return model;
  const root: Frame = { file: ctx.file, dir: ctx.dir, model };
  const out: Plain = {};
  for (const [name, svc] of Object.entries(services)) {
    out[name] = await resolveService(root, name, svc, [], ctx);
  }
  return { ...model, services: out };
}

async function resolveService(frame: Frame, name: string, svc: unknown, stack: string[], ctx: ExtendsContext): Promise<unknown> {
  if (!isPlainObject(svc) || svc.extends === undefined || svc.extends === null) return svc;
  const id = `${frame.file}#${name}`;
  if (stack.includes(id)) {
    const chain = [...stack.slice(stack.indexOf(id)), id].map((s) => s.slice(s.lastIndexOf('#') + 1));
    throw new LoaderError(`Circular reference with extends: ${chain.join(' -> ')}`, { file: frame.file, keyPath: `services.${name}.extends` });
  }
  const ext = svc.extends;
  let baseName: string;
  let baseFile: string | undefined;
  if (typeof ext === 'string') baseName = ext;
  else if (isPlainObject(ext)) {
    if (typeof ext.service !== 'string' || ext.service === '') {
      throw new LoaderError(`extends.${name}.service is required`, { file: frame.file, keyPath: `services.${name}.extends` });
    }
    baseName = ext.service;
    if (typeof ext.file === 'string' && ext.file !== '') baseFile = resolve(frame.dir, ext.file);
  } else {
    throw new LoaderError('extends must be a string or a mapping', { file: frame.file, keyPath: `services.${name}.extends` });
  }

  let baseFrame = frame;
  if (baseFile !== undefined && baseFile !== frame.file) {
    let model: Plain;
    try {
      model = await ctx.loadBase(baseFile);
    } catch (err) {
      if (err instanceof LoaderError) throw err;
      throw new LoaderError(`cannot read ${baseFile}: ${(err as Error).message}`, { file: frame.file, keyPath: `services.${name}.extends.file` });
    }
    baseFrame = { file: baseFile, dir: dirname(baseFile), model };
  }
  const baseServices = isPlainObject(baseFrame.model.services) ? baseFrame.model.services : {};
  if (!Object.hasOwn(baseServices, baseName)) {
    throw new LoaderError(`cannot extend service ${JSON.stringify(name)} in ${frame.file}: service ${JSON.stringify(baseName)} not found`, {
      file: frame.file,
      keyPath: `services.${name}.extends`,
    });
  }
  // Markers left in the resolved base (one that extends nothing) have nothing to act on.
  let base = stripMarkers(await resolveService(baseFrame, baseName, baseServices[baseName], [...stack, id], ctx));
  if (baseFrame.dir !== frame.dir) {
    base = rebaseService(base, { fromDir: baseFrame.dir, toDir: frame.dir, absolute: ctx.absolutePaths });
  }
  const local: Plain = { ...svc };
  delete local.extends;
  const merged = mergeLayers([{ services: { [name]: base ?? {} } }, { services: { [name]: local } }]);
  return (merged.services as Plain)[name];
}
