/** A port on which nothing listens: a peer that refuses the connection (ICE, a callback target, Temporal down). */
import { freePort } from '../local-stack/ports';

/**
 * A port of 127.0.0.1 that was free a moment ago (bound, then released), so that connecting to it is refused.
 * Another process may take it meanwhile; tests use it at once.
 */
export function closedPort(): Promise<number> {
  return freePort('127.0.0.1');
}
