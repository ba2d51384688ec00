import type { RequestStatus } from '@betang/core';
import type { Executor, Tx } from '../database';

export type VpsRequestRow = {
  id: string;
  institutionId: string;
  applicationId: string;
  requestedBy: string;
  hostname: string;
  templateId: string;
  presetId: string | null;
  cores: number;
  memoryMib: number;
  diskGib: number;
  sshPublicKeys: string[];
  purpose: string;
  publicAccess: boolean;
  ports: number[];
  contact: unknown;
  status: RequestStatus;
  statusReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

const COLUMNS = [
  'id', 'institutionId', 'applicationId', 'requestedBy', 'hostname', 'templateId', 'presetId', 'cores', 'memoryMib', 'diskGib',
  'sshPublicKeys', 'purpose', 'publicAccess', 'ports', 'contact', 'status', 'statusReason', 'createdAt', 'updatedAt',
] as const;

export type NewVpsRequest = Omit<VpsRequestRow, 'id' | 'createdAt' | 'updatedAt' | 'statusReason' | 'status'> & { status: RequestStatus };

/** Inserts a request; the live-hostname uniqueness per institution is enforced by the database. */
export async function insertVpsRequest(tx: Tx, values: NewVpsRequest): Promise<VpsRequestRow> {
  const row = await tx
    .insertInto('vpsRequests')
    .values({ ...values, contact: JSON.stringify(values.contact) })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return row as VpsRequestRow;
}

/** One request by id. */
export async function findVpsRequest(db: Executor, id: string): Promise<VpsRequestRow | undefined> {
  return (await db.selectFrom('vpsRequests').select(COLUMNS).where('id', '=', id).executeTakeFirst()) as VpsRequestRow | undefined;
}

/** Locks one request row for the rest of the transaction (decisions serialise per request). */
export async function lockVpsRequest(tx: Tx, id: string): Promise<VpsRequestRow | undefined> {
  return (await tx.selectFrom('vpsRequests').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst()) as VpsRequestRow | undefined;
}

/** Sets status (and reason); the caller has checked the transition. */
export async function updateVpsRequestStatus(db: Executor, id: string, status: RequestStatus, reason: string | null = null): Promise<void> {
  await db.updateTable('vpsRequests').set({ status, statusReason: reason }).where('id', '=', id).execute();
}

/** Requests newest first (or oldest first), optionally filtered, keyset-paged by (created_at, id). */
export async function listVpsRequests(
  db: Executor,
  filter: { institutionId?: string; status?: RequestStatus; statuses?: readonly RequestStatus[]; limit: number; after?: { createdAt: string; id: string }; oldestFirst?: boolean },
): Promise<VpsRequestRow[]> {
  const dir = filter.oldestFirst ? 'asc' : 'desc';
  let q = db.selectFrom('vpsRequests').select(COLUMNS).orderBy('createdAt', dir).orderBy('id', dir).limit(filter.limit);
  if (filter.institutionId) q = q.where('institutionId', '=', filter.institutionId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.statuses) q = q.where('status', 'in', [...filter.statuses]);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    const cmp = filter.oldestFirst ? '>' : '<';
    q = q.where((eb) => eb.or([eb('createdAt', cmp, new Date(createdAt)), eb.and([eb('createdAt', '=', new Date(createdAt)), eb('id', cmp, id)])]));
  }
  return (await q.execute()) as VpsRequestRow[];
}

/** True when another live request of the institution already uses the hostname. */
export async function isHostnameTaken(db: Executor, institutionId: string, hostname: string): Promise<boolean> {
  const row = await db
    .selectFrom('vpsRequests')
    .select('id')
    .where('institutionId', '=', institutionId)
    .where('hostname', '=', hostname)
    .where('status', 'not in', ['decommissioned', 'rejected', 'cancelled', 'failed'])
    .executeTakeFirst();
  return row !== undefined;
}

/** The most recent run of a request (any kind), or undefined. */
export async function findLatestRunOfRequest(db: Executor, requestId: string) {
  return db
    .selectFrom('provisioningRuns')
    .select(['id', 'kind', 'status', 'attempt', 'progress', 'currentStep', 'errorCode', 'errorMessage', 'errorRetryable', 'createdAt', 'startedAt', 'finishedAt'])
    .where('requestId', '=', requestId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
