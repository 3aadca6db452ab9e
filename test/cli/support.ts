/** What the CLI tests that drive `main` in this process against an emulator share. */
import { after, before } from 'node:test';
import { main } from '../../src/cli/main';
import { EMULATOR_DEV_CREDENTIALS, type Env } from '../../src/config';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in this process with `env`, collecting what it prints. */
export async function runCliInProcess(argv: string[], env: Env): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, env, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n') });
  return { code, out, err };
}

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
