/**
 * Bridge between the Compose schema's generated input types and the canonical model.
 *
 * `./compose-spec.generated.ts` is written by `scripts/build-schema.mjs` (json-schema-to-typescript,
 * from the schema of the `dclint` package, patched up to the current Compose Specification; it is
 * gitignored and regenerated before `tsc`/`vitest` run). It describes what a compose file may say;
 * `./types.ts` describes what the loader produces; `./spec-coverage.ts` compares the two key sets.
 */
/**
 * The keys that `T` declares, without its index signature: the generated types carry
 * `[k: string]: unknown` for the schema's `^x-` extensions, which would make `keyof` useless.
 */
export type DeclaredKeys<T> = keyof {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};
