import type { IceClient } from '../ice/types';

/** What the ICE activities need. */
export interface IceActivityDeps {
  /** Built by the worker from its own credentials (never from workflow input). */
  ice: IceClient;
  /**
   * Retries of an ICE answer that lacks what the clone needs before it fails with `UnexpectedIceResponse`
   * (the worker's VOICE_CLONE_UNEXPECTED_RESPONSE_RETRIES); default DEFAULT_UNEXPECTED_RESPONSE_RETRIES.
   */
  unexpectedResponseRetries?: number;
}
