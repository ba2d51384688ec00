import {
  clearPlacementHolds,
  placementHolds,
  placeUnderLock,
  releasePlacementHold,
  shortenPlacementHold,
  type Db,
  type PlacementHold,
} from '@betang/db';
import type { InFlight } from './choose-node';

/** How long a VM that has started still counts: PVE's node statistics lag about 10 s. */
export const STARTED_GRACE_MS = 15_000;
/** Upper bound for any entry (a run that died without telling the ledger stops counting). */
export const MAX_HOLD_MS = 30 * 60_000;

/** What a placement decision returns: the hold to record for the run (none when it failed) and its answer. */
export type PlacementDecision<T> = { hold: InFlight | null; value: T };

/**
 * The VMs placed by ANY worker process whose memory and disk PVE does not show yet, by run, kept
 * in PostgreSQL (placement_holds). A placement is decided and recorded under one cluster-wide
 * advisory lock, so N workers on different hosts never both take the last room on a node. A
 * worker that dies without releasing its holds only makes capacity look smaller until they expire
 * (MAX_HOLD_MS, or STARTED_GRACE_MS after the VM started); the clone step still re-checks slots
 * and PVE refuses what does not fit. Times are the database's clock unless a test passes `clock`.
 */
export class PlacementLedger {
  constructor(
    private readonly db: Db,
    private readonly clock?: () => number,
  ) {}

  /**
   * Decides a run's placement from everything in flight except the run itself, and records the
   * hold `decide` returns (replacing the run's earlier one) atomically with the decision.
   * `decide` runs under the lock: it must be quick and must not call PVE.
   */
  place<T>(runId: string, decide: (inFlight: InFlight[]) => PlacementDecision<T>): Promise<T> {
    return placeUnderLock(this.db, runId, MAX_HOLD_MS, (rows: PlacementHold[]) => decide(rows), this.clock);
  }

  /** The run's VM has started: it keeps counting only until the statistics show it. Idempotent. */
  started(runId: string): Promise<void> {
    return shortenPlacementHold(this.db, runId, STARTED_GRACE_MS, this.clock);
  }

  /** Forgets a run (failed or cleaned up). Idempotent. */
  release(runId: string): Promise<void> {
    return releasePlacementHold(this.db, runId);
  }

  /** Forgets every placement (tests). */
  clear(): Promise<void> {
    return clearPlacementHolds(this.db);
  }

  /** Placements still in flight, excluding `exceptRunId` (a re-placed run does not count against itself). */
  inFlight(exceptRunId?: string): Promise<InFlight[]> {
    return placementHolds(this.db, exceptRunId, this.clock);
  }
}
