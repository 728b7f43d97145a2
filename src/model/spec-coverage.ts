/**
 * Type-level check: the model (`./types.ts`) has a field for every attribute of the Compose schema
 * (`./compose-spec.generated.ts`, generated from the schema package by `scripts/build-schema.mjs`).
 *
 * Nothing here runs. When the schema gains an attribute (a newer schema package, or a patch in
 * build-schema.mjs) that the model lacks, `npm run typecheck` and the `tsc` step of `npm run build`
 * fail on one of the `Covered<…>` lines below with
 *   Type '"new_attribute"' does not satisfy the constraint 'never'.
 * Add the field to `./types.ts`, typed canonically, and normalise it in the loader
 * (`src/loader/normalize.ts` or a group under `src/loader/normalize/`), or list it in the
 * exemptions with the reason.
 * The reverse check catches model fields that are not schema attributes (typos).
 */
import type {
  BuildConfig,
  ConfigObjConfig,
  CredentialSpecConfig,
  DeployConfig,
  DeployResources,
  DevelopConfig,
  DeviceRequest,
  HealthCheckConfig,
  LoggingConfig,
  PlacementConfig,
  ProviderConfig,
  ResourceConfig,
  RestartPolicyConfig,
  UpdateConfig,
  WatchRule,
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
  ComposeDeployment,
  ComposeDevelopment,
  ComposeDevices,
  ComposeHealthcheck,
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
/** Model-only fields of every object: its `x-*` keys, gathered in `extensions`. */
type Ext = 'extensions';
/** Model-only service fields: `name` is the key under `services:`. */
type ServiceModelOnly = 'name' | Ext;

export type SpecCoverage = [
  Covered<Missing<ServiceConfig, ComposeService, ServiceConsumed>>,
  Covered<Unknown<ServiceConfig, ComposeService, ServiceModelOnly>>,
  Covered<Missing<BuildConfig, ComposeBuild>>,
  Covered<Unknown<BuildConfig, ComposeBuild, Ext>>,
  Covered<Missing<ServiceHookConfig, ComposeServiceHook>>,
  // `pre_start` entries share ServiceHookConfig (with `image` and `per_replica`); nothing beyond the schema's keys.
  Covered<Missing<ServiceHookConfig, ComposePreStartHook>>,
  Covered<Unknown<ServiceHookConfig, ComposePreStartHook, Ext>>,
  Covered<Missing<NetworkConfig, ComposeNetwork>>,
  Covered<Unknown<NetworkConfig, ComposeNetwork, Ext>>,
  Covered<Missing<VolumeConfig, ComposeVolume>>,
  Covered<Unknown<VolumeConfig, ComposeVolume, Ext>>,
  Covered<Missing<SecretConfig, ComposeSecret>>,
  // `content` of a secret: the loader reads the value of `environment` into it.
  Covered<Unknown<SecretConfig, ComposeSecret, 'content' | Ext>>,
  Covered<Missing<ConfigObjConfig, ComposeConfig>>,
  Covered<Unknown<ConfigObjConfig, ComposeConfig, Ext>>,
  Covered<Missing<ModelConfig, ComposeModel>>,
  // deploy: every key of the Deploy Specification, both ways
  Covered<Missing<DeployConfig, ComposeDeployment>>,
  Covered<Unknown<DeployConfig, ComposeDeployment, Ext>>,
  Covered<Missing<UpdateConfig, NonNullable<ComposeDeployment>['update_config']>>,
  Covered<Missing<RestartPolicyConfig, NonNullable<ComposeDeployment>['restart_policy']>>,
  Covered<Missing<PlacementConfig, NonNullable<ComposeDeployment>['placement']>>,
  Covered<Missing<DeployResources, NonNullable<ComposeDeployment>['resources']>>,
  Covered<Missing<ResourceConfig, NonNullable<NonNullable<ComposeDeployment>['resources']>['limits']>>,
  Covered<Missing<ResourceConfig, NonNullable<NonNullable<ComposeDeployment>['resources']>['reservations']>>,
  Covered<Missing<DeviceRequest, ComposeDevices[number]>>,
  Covered<Missing<LoggingConfig, ComposeService['logging']>>,
  Covered<Missing<CredentialSpecConfig, ComposeService['credential_spec']>>,
  Covered<Missing<ProviderConfig, ComposeService['provider']>>,
  Covered<Missing<DevelopConfig, ComposeDevelopment>>,
  Covered<Missing<WatchRule, NonNullable<NonNullable<ComposeDevelopment>['watch']>[number]>>,
  Covered<Missing<HealthCheckConfig, ComposeHealthcheck>>,
  Covered<Unknown<ModelConfig, ComposeModel, Ext>>,
];
