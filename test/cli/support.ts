/** What the CLI tests that drive `main` in this process against an emulator share. */
import { after, before } from 'node:test';
import { EMULATOR_DEV_CREDENTIALS } from '../../src/config';

export { runCli as runCliInProcess, type CliRun } from '../support/harness';

/**
 * Registers hooks that put the emulator's dev key pair in the process environment for the suite and restore it after:
 * the commands reach ICE with Alibaba's default credential chain, which reads the process environment.
 */
export function useEmulatorCredentialsInProcessEnv(): void {
  const saved = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  };
  before(() => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = EMULATOR_DEV_CREDENTIALS.accessKeyId;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = EMULATOR_DEV_CREDENTIALS.accessKeySecret;
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
