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

/** Lists audit entries newest first, filtered, keyset-paged by id. */
export async function listAudit(
  db: Executor,
  filter: { institutionId?: string; action?: string; targetType?: string; targetId?: string; beforeId?: number; limit: number },
): Promise<AuditRow[]> {
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
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}
