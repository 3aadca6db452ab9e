/**
 * The emulator binds to loopback by default. Bound anywhere else it still serves its admin API without
 * authentication (by design: it is a test tool), so it says so loudly: a warning in its log and a process warning
 * on stderr, which a silent logger cannot swallow.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger';

/** The code of the process warning, for whoever wants to listen for it (`process.on('warning')`). */
export const EMULATOR_EXPOSED_WARNING = 'ICE_EMULATOR_EXPOSED';

export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}

/** Warns when the emulator listens beyond this machine; true when it did. */
export function warnIfExposed(address: AddressInfo, logger: Logger): boolean {
  if (isLoopbackAddress(address.address)) return false;
  const message =
    `The ICE emulator listens on ${address.address} port ${address.port}, reachable beyond this machine. Its admin ` +
    'API (/__emulator) has no authentication and its dev key pair is public: anyone who reaches this port can read ' +
    'the call log, inject faults and reset it. Bind it to 127.0.0.1 unless the network is yours alone.';
  logger.warn(message, { address: address.address, port: address.port });
  process.emitWarning(message, { code: EMULATOR_EXPOSED_WARNING });
  return true;
}
