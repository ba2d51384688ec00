import type { Executor } from '../database';

/** One audit entry: who did what to which target, with before/after and request context. */
export type AuditEntry = {
  actorUserId: string | null;
  actorLabel: string;
  institutionId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

/**
 * Appends an audit entry on the given executor — pass the transaction of the change so the
 * entry commits (or rolls back) together with it. The table is append-only (trigger).
 */
export async function appendAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      ...entry,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

type AuditRow = {
  id: number;
  at: Date;
  actorUserId: string | null;
  actorLabel: string;
  institutionId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
};

/** The audit log's filters; `actorLike` is an ILIKE pattern on the actor's label, `since`/`before` bound `at`. */
export type AuditFilter = {
  institutionId?: string | undefined;
  actorUserId?: string | undefined;
  actorLike?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  since?: Date | undefined;
  before?: Date | undefined;
};

/** Lists audit entries newest first, filtered, keyset-paged by id (`beforeId` exclusive). */
export async function listAudit(db: Executor, filter: AuditFilter & { beforeId?: number | undefined; limit: number }): Promise<AuditRow[]> {
  let query = db
    .selectFrom('auditLog')
    .select([
      'id',
      'at',
      'actorUserId',
      'actorLabel',
      'institutionId',
      'action',
      'targetType',
      'targetId',
      'before',
      'after',
      'requestId',
      'ip',
    ])
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.institutionId) query = query.where('institutionId', '=', filter.institutionId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.targetType) query = query.where('targetType', '=', filter.targetType);
  if (filter.targetId) query = query.where('targetId', '=', filter.targetId);
  if (filter.actorUserId) query = query.where('actorUserId', '=', filter.actorUserId);
  if (filter.actorLike) query = query.where('actorLabel', 'ilike', filter.actorLike);
  if (filter.since) query = query.where('at', '>=', filter.since);
  if (filter.before) query = query.where('at', '<', filter.before);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}

/**
 * Every entry matching `filter`, newest first, in batches of `batchSize` read one after another
 * (keyset by id): memory stays bounded however long the log, and entries appended meanwhile are
 * not included (the first batch fixes the upper id).
 */
export async function* streamAudit(db: Executor, filter: AuditFilter, batchSize = 1000): AsyncGenerator<AuditRow[]> {
  let beforeId: number | undefined;
  for (;;) {
    const rows = await listAudit(db, { ...filter, beforeId, limit: batchSize });
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    beforeId = rows[rows.length - 1]!.id;
  }
}
