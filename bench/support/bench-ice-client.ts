/** The ICE client of every bench process (stack, workers, receiver): the emulator's URL and the bench's key pair. */
import type { IceClientConfig, IceCredentials } from '../../src/config';

export function benchIceClientConfig(endpoint: string, credentials: IceCredentials): IceClientConfig {
  return { region: 'cn-shanghai', endpoint, connectTimeoutMs: 5_000, readTimeoutMs: 10_000, credentials };
}
