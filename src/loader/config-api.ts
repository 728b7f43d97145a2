/**
 * What `capstan config` uses of the loader, as one module. scripts/build.mjs also bundles it as
 * `config-api.cjs`, a script with a V8 code cache, which {@link configApi} loads.
 */
export { loadProject } from './index.js';
export { modelToYaml, projectToModel } from './serialize.js';
export { parseYaml } from './yaml.js';
export { resolveComposeFiles } from './discover.js';
export { extractVariables } from './variables.js';
