import type { InFlight } from './choose-node';

/** How long a VM that has started still counts: PVE's node statistics lag about 10 s. */
export const STARTED_GRACE_MS = 15_000;
/** Upper bound for any entry (a run that died without telling the ledger stops counting). */
export const MAX_HOLD_MS = 30 * 60_000;

/**
 * The VMs this worker process placed whose memory and disk PVE does not show yet, by run.
 * In-process only: several worker processes each know their own placements (the capacity
 * numbers still catch up within seconds of a VM starting). Losing it in a crash only makes the
 * next placements less even, never wrong: the clone step re-checks slots and PVE refuses what
 * does not fit.
 */
export class PlacementLedger {
  private readonly entries = new Map<string, InFlight & { until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records (or moves) the placement of a run's VM. */
  place(runId: string, entry: InFlight): void {
    this.entries.set(runId, { ...entry, until: this.now() + MAX_HOLD_MS });
  }

  /** The run's VM has started: it keeps counting only until the statistics show it. */
  started(runId: string): void {
    const e = this.entries.get(runId);
    if (e) e.until = Math.min(e.until, this.now() + STARTED_GRACE_MS);
  }

  /** Forgets a run (failed or cleaned up). */
  release(runId: string): void {
    this.entries.delete(runId);
  }

  /** Forgets every placement (tests). */
  clear(): void {
    this.entries.clear();
  }

  /** Placements still in flight, excluding `exceptRunId` (a re-placed run does not count against itself). */
  inFlight(exceptRunId?: string): InFlight[] {
    const now = this.now();
    const out: InFlight[] = [];
    for (const [runId, e] of this.entries) {
      if (e.until <= now) this.entries.delete(runId);
      else if (runId !== exceptRunId) out.push({ node: e.node, storage: e.storage, memoryBytes: e.memoryBytes, diskBytes: e.diskBytes });
    }
    return out;
  }
}

/** The worker process's ledger (placement is per process; see PlacementLedger). */
export const placementLedger = new PlacementLedger();
