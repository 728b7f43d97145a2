/**
 * Type-level check: the model (`./types.ts`) has a field for every attribute of the Compose schema
 * (`./compose-spec.generated.ts`, generated from the schema package by `scripts/build-schema.mjs`).
 *
 * Nothing here runs. When the schema gains an attribute (a newer schema package, or a patch in
 * build-schema.mjs) that the model lacks, `npm run typecheck` and the `tsc` step of `npm run build`
 * fail on one of the `Covered<…>` lines below with
 *   Type '"new_attribute"' does not satisfy the constraint 'never'.
 * Add the field to `./types.ts` (typed canonically if the loader normalises it, else
 * `ServiceAttr<'new_attribute'>`, the schema's type), or list it in the exemptions with the reason.
 * The reverse check catches model fields that are not schema attributes (typos).
 */
import type {
  BuildConfig,
  ConfigObjConfig,
  ModelConfig,
  NetworkConfig,
  SecretConfig,
  ServiceConfig,
  ServiceHookConfig,
  VolumeConfig,
} from './types.js';
import type {
  ComposeBuild,
  ComposeConfig,
  ComposeModel,
  ComposeNetwork,
  ComposePreStartHook,
  ComposeSecret,
  ComposeService,
  ComposeServiceHook,
  ComposeVolume,
} from './compose-spec.generated.js';
import type { DeclaredKeys } from './schema-types.js';

/** Schema attributes that the model lacks, less `Exempt`. */
type Missing<Model, Spec, Exempt extends PropertyKey = never> = Exclude<DeclaredKeys<NonNullable<Spec>>, DeclaredKeys<Model> | Exempt>;
/** Model fields that are not schema attributes, less `ModelOnly`. */
type Unknown<Model, Spec, ModelOnly extends PropertyKey = never> = Exclude<DeclaredKeys<Model>, DeclaredKeys<NonNullable<Spec>> | ModelOnly>;
/** Compiles only when `Keys` is empty; the error names the keys. */
type Covered<Keys extends never> = Keys;

/**
 * Service attributes the loader consumes, so the loaded model never has them:
 * - `extends`: resolved and removed by the extends stage (compose-behaviour.md §3.1).
 */
type ServiceConsumed = 'extends';
/** Model-only service fields: `name` is the key under `services:`. */
type ServiceModelOnly = 'name';

export type SpecCoverage = [
  Covered<Missing<ServiceConfig, ComposeService, ServiceConsumed>>,
  Covered<Unknown<ServiceConfig, ComposeService, ServiceModelOnly>>,
  Covered<Missing<BuildConfig, ComposeBuild>>,
  Covered<Unknown<BuildConfig, ComposeBuild>>,
  Covered<Missing<ServiceHookConfig, ComposeServiceHook>>,
  // `pre_start` entries share ServiceHookConfig (`image` and `per_replica` come through its index
  // signature as loaded); nothing beyond the schema's keys.
  Covered<Unknown<ServiceHookConfig, ComposePreStartHook>>,
  Covered<Missing<NetworkConfig, ComposeNetwork>>,
  Covered<Unknown<NetworkConfig, ComposeNetwork>>,
  Covered<Missing<VolumeConfig, ComposeVolume>>,
  Covered<Unknown<VolumeConfig, ComposeVolume>>,
  Covered<Missing<SecretConfig, ComposeSecret>>,
  // `content` of a secret: the loader reads the value of `environment` into it.
  Covered<Unknown<SecretConfig, ComposeSecret, 'content'>>,
  Covered<Missing<ConfigObjConfig, ComposeConfig>>,
  Covered<Unknown<ConfigObjConfig, ComposeConfig>>,
  Covered<Missing<ModelConfig, ComposeModel>>,
  Covered<Unknown<ModelConfig, ComposeModel>>,
];
