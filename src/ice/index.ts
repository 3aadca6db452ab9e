export * from './types';
export * from './errors';
export { createIceClient, type IceClientOptions } from './client';
export { scrubSecrets } from './error-mapping';
export type { IceCallRateLimits } from './rate-limiter';
