import { Context } from '@temporalio/activity';
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_NAMES, type SearchAttributePlan, type VoiceCloneStage } from '../workflows/definitions';

export interface SearchAttributeDeps {
  /** Where to ask which search attributes exist; without it the workflow upserts none. */
  temporal?: { connection: ConnectionLike; namespace: string };
}

/**
 * The stages an operator filters on: the exceptional wait (callbacks lost, ICE is polled), the ends, and a recording
 * session's wait for recordings (days, and only for sessions). The usual wait for the callback is not indexed: an
 * upsert mid-run is a visibility write of its own, ~20 ms of dev-server CPU per clone in the benchmark
 * (bench/README), while the closing upsert rides on the close's write.
 */
export const INDEXED_STAGES: readonly VoiceCloneStage[] = ['AwaitingRecordings', 'Polling', 'Succeeded', 'Failed'];

/** Registrations change by an operator's hand, rarely: one question a minute per worker, not one per clone. */
export const SEARCH_ATTRIBUTE_CACHE_MS = 60_000;

/**
 * Which of the workflow's Keyword search attributes the namespace has registered, and which stages to index.
 * Upserting an unregistered one fails every workflow task, so the workflow only upserts what this returns. Any
 * error means "none": the Web UI loses its filters, the clone keeps working (and the next clone asks again).
 */
export function createListRegisteredSearchAttributes({ temporal: target }: SearchAttributeDeps) {
  let cached: { names: string[]; at: number } | undefined;
  return async function listRegisteredSearchAttributes(): Promise<SearchAttributePlan> {
    const plan = (names: string[]): SearchAttributePlan => ({ names, indexedStages: [...INDEXED_STAGES] });
    if (target === undefined) return plan([]);
    if (cached !== undefined && Date.now() - cached.at < SEARCH_ATTRIBUTE_CACHE_MS) return plan(cached.names);
    try {
      const response = await target.connection.operatorService.listSearchAttributes({
        namespace: target.namespace,
      });
      const custom = response.customAttributes ?? {};
      const names = SEARCH_ATTRIBUTE_NAMES.filter(
        (name) => custom[name] === temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );
      cached = { names, at: Date.now() };
      return plan(names);
    } catch (error) {
      Context.current().log.warn('cannot list search attributes; the workflow will not upsert any', {
        error: error instanceof Error ? error.message : String(error),
      });
      return plan([]);
    }
  };
}
