/** The Compose model: canonical types and small pure helpers. No I/O. */
export type * from './types.js';
export { parseDuration, formatDuration, nanosToSeconds } from './duration.js';
export { parseByteSize, formatFileMode, parseFileMode, parseDeviceCount, pullPolicyOf, type PullPolicy } from './units.js';
export { inlineExtensions, serviceWithExtensions } from './extensions.js';
