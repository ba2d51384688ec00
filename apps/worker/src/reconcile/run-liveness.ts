import { sql } from 'kysely';
import type { RunRow } from '@betang/db';

/**
 * The last sign of life of a run, in SQL: its heartbeat, or the time its parked step is due
 * (a run parked off the worker beats no heart, yet it is alive until then and a little after,
 * while it waits in the queue for a free slot).
 */
export const lastSign = sql<Date | null>`greatest(heartbeat_at, parked_until)`;

/** True when the run showed a sign of life (heartbeat or parking time) at or after `since`. */
export function aliveSince(run: Pick<RunRow, 'heartbeatAt' | 'parkedUntil'>, since: Date): boolean {
  return [run.heartbeatAt, run.parkedUntil].some((t) => t !== null && new Date(t) >= since);
}
