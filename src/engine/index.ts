/**
 * The engine layer's public face: the {@link Engine} contract and its HTTP implementation
 * {@link EngineClient}, endpoint resolution, and the stream decoders (demux, NDJSON).
 * Nothing here knows what a Compose service is.
 */
export {
  EngineClient,
  resolveEndpoint,
  formatEndpoint,
  buildQuery,
  apiPath,
  compareApiVersions,
  negotiateApiVersion,
  toEngineTimestamp,
  MIN_API_VERSION,
  MAX_API_VERSION,
  DEFAULT_SOCKET,
} from './client.js';
export type { EngineClientOptions, EngineEndpoint, TlsSettings, Query, QueryValue } from './client.js';
export { demuxStream, rawStream, logStream, readNdjson, FRAME_HEADER_LENGTH } from './streams.js';
export type { ByteChunk } from './streams.js';
export type * from './types.js';
export { parseImageReference, registryAuth, encodeRegistryAuth, dockerConfigDir, credentialHelperGet, DOCKER_HUB_AUTH_KEY } from './registry-auth.js';
export type { ImageReference, RegistryAuth, RegistryAuthOptions } from './registry-auth.js';
