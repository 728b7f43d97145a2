declare const CAPSTAN_VERSION: string | undefined;

/** Capstan's version: package.json's, injected by the esbuild bundle; `0.0.0-dev` from source. */
export const VERSION: string = typeof CAPSTAN_VERSION === 'string' ? CAPSTAN_VERSION : '0.0.0-dev';
