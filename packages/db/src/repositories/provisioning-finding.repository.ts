import { sql } from 'kysely';
import type { Executor } from '../database';

export type FindingKind =
  'orphan_vm' | 'stuck_run' | 'missing_vm' | 'config_drift' | 'no_agreement' | 'cleanup_pending' | 'abandoned_lock' | 'marker_removed';

export type FindingInput = {
  kind: FindingKind;
  /** Stable identity of the problem (e.g. `orphan_vm:100042`): one open finding per fingerprint. */
  fingerprint: string;
  institutionId?: string | null;
  vmId?: string | null;
  runId?: string | null;
  vmid?: number | null;
  node?: string | null;
  message: { id: string; en: string };
  detail?: unknown;
};

type FindingRow = {
  id: string;
  kind: string;
  fingerprint: string;
  institutionId: string | null;
  vmId: string | null;
  runId: string | null;
  vmid: number | null;
  node: string | null;
  messageId: string;
  messageEn: string;
  detail: unknown;
  status: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
};

/** Opens a finding or refreshes the open one with the same fingerprint (last_seen_at, message, detail). */
export async function upsertFinding(db: Executor, f: FindingInput): Promise<void> {
  const values = {
    kind: f.kind,
    fingerprint: f.fingerprint,
    institutionId: f.institutionId ?? null,
    vmId: f.vmId ?? null,
    runId: f.runId ?? null,
    vmid: f.vmid ?? null,
    node: f.node ?? null,
    messageId: f.message.id,
    messageEn: f.message.en,
    detail: JSON.stringify(f.detail ?? {}),
  };
  await db
    .insertInto('reconcileFindings')
    .values(values)
    .onConflict((oc) =>
      oc
        .column('fingerprint')
        .where('status', '=', 'open')
        .doUpdateSet({
          lastSeenAt: sql<Date>`now()`,
          messageId: values.messageId,
          messageEn: values.messageEn,
          detail: values.detail,
          node: values.node,
        }),
    )
    .execute();
}

/** Resolves open findings of the given kinds whose fingerprint was not seen in this round. */
export async function resolveFindingsNotSeen(db: Executor, kinds: readonly FindingKind[], seen: readonly string[]): Promise<number> {
  let q = db
    .updateTable('reconcileFindings')
    .set({ status: 'resolved', resolvedAt: sql<Date>`now()` })
    .where('status', '=', 'open')
    .where('kind', 'in', [...kinds]);
  if (seen.length > 0) q = q.where('fingerprint', 'not in', [...seen]);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Open findings, newest first. */
export async function listOpenFindings(db: Executor, limit = 500): Promise<FindingRow[]> {
  return db.selectFrom('reconcileFindings').selectAll().where('status', '=', 'open').orderBy('lastSeenAt', 'desc').limit(limit).execute();
}

/**
 * Resolves the open `cleanup_pending` findings of a request's runs: called when the request's VM
 * was handed over or a cleanup finished after all, so a problem that no longer exists does not
 * wait for an operator. Idempotent (resolved findings are left as they are).
 */
export async function resolveCleanupFindingsOfRequest(db: Executor, requestId: string): Promise<number> {
  const r = await db
    .updateTable('reconcileFindings')
    .set({ status: 'resolved', resolvedAt: sql<Date>`now()` })
    .where('status', '=', 'open')
    .where('kind', '=', 'cleanup_pending')
    .where('runId', 'in', (eb) => eb.selectFrom('provisioningRuns').select('id').where('requestId', '=', requestId))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
