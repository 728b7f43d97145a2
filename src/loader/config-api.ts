/**
 * What `capstan config` uses of the loader, as one module. scripts/build.mjs also bundles it as
 * `config-api.cjs`, a script with a V8 code cache, which {@link configApi} loads.
 */
export { loadModel, loadProject } from './index.js';
export { modelToYaml, projectToModel, rawModelToPrint } from './serialize.js';
export { extractVariables } from './variables.js';
