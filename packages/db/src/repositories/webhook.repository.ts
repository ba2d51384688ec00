import { sql } from 'kysely';
import type { Executor } from '../database';

/** A webhook endpoint row, secret included (never hand it to a client except on creation or rotation). */
export type WebhookEndpointRow = {
  id: string;
  name: string;
  url: string;
  institutionId: string | null;
  kinds: string[];
  secret: string;
  isActive: boolean;
  createdAt: Date;
};

/** One delivery as the log and the sender see it. */
export type WebhookDeliveryRow = {
  id: number;
  endpointId: string;
  kind: string;
  reason: string;
  payload: unknown;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
};

const ENDPOINT_COLUMNS = ['id', 'name', 'url', 'institutionId', 'kinds', 'secret', 'isActive', 'createdAt'] as const;

/** Every endpoint, global ones first, then by name. */
export async function listWebhookEndpoints(db: Executor): Promise<WebhookEndpointRow[]> {
  return db
    .selectFrom('webhookEndpoints')
    .select([...ENDPOINT_COLUMNS])
    .orderBy(sql`institution_id IS NOT NULL`)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** One endpoint, or undefined. */
export async function findWebhookEndpoint(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
  return db
    .selectFrom('webhookEndpoints')
    .select([...ENDPOINT_COLUMNS])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Stores a new endpoint. */
export async function insertWebhookEndpoint(
  db: Executor,
  values: {
    name: string;
    url: string;
    institutionId: string | null;
    kinds: string[];
    secret: string;
    isActive: boolean;
    createdBy: string | null;
  },
): Promise<WebhookEndpointRow> {
  return db
    .insertInto('webhookEndpoints')
    .values(values)
    .returning([...ENDPOINT_COLUMNS])
    .executeTakeFirstOrThrow();
}

/** Changes the given fields of an endpoint; undefined when it does not exist. */
export async function updateWebhookEndpoint(
  db: Executor,
  id: string,
  patch: Partial<{ name: string; url: string; kinds: string[]; isActive: boolean; secret: string }>,
): Promise<WebhookEndpointRow | undefined> {
  return db
    .updateTable('webhookEndpoints')
    .set({ ...patch, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .returning([...ENDPOINT_COLUMNS])
    .executeTakeFirst();
}

/** Deletes an endpoint and its delivery log. Returns whether it existed. */
export async function deleteWebhookEndpoint(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhookEndpoints').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Delivery counts by status per endpoint. */
export async function webhookDeliveryCounts(db: Executor): Promise<Map<string, { pending: number; delivered: number; failed: number }>> {
  const rows = await db
    .selectFrom('webhookDeliveries')
    .select(['endpointId', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['endpointId', 'status'])
    .execute();
  const out = new Map<string, { pending: number; delivered: number; failed: number }>();
  for (const row of rows) {
    const counts = out.get(row.endpointId) ?? { pending: 0, delivered: 0, failed: 0 };
    if (row.status === 'pending' || row.status === 'delivered' || row.status === 'failed') counts[row.status] = Number(row.n);
    out.set(row.endpointId, counts);
  }
  return out;
}

/** An endpoint's deliveries, newest first, before `beforeId`; `limit + 1` rows so the caller knows about a next page. */
export async function listWebhookDeliveries(
  db: Executor,
  endpointId: string,
  options: { beforeId?: number; limit: number },
): Promise<WebhookDeliveryRow[]> {
  let query = db.selectFrom('webhookDeliveries').selectAll().where('endpointId', '=', endpointId);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** A due delivery with what the sender needs of its endpoint. */
export type DueWebhookDelivery = WebhookDeliveryRow & { url: string; secret: string };

/**
 * Leases up to `limit` due pending deliveries of active endpoints: in one statement it pushes
 * their next attempt `leaseMs` ahead (FOR UPDATE SKIP LOCKED, so two senders never take the same
 * row) and returns them; the sender posts without a transaction open, then marks each.
 */
export async function leaseWebhookDeliveries(db: Executor, limit: number, leaseMs: number): Promise<DueWebhookDelivery[]> {
  const { rows } = await sql<DueWebhookDelivery>`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.is_active
      ORDER BY d.id LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED)
    UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
    FROM due, webhook_endpoints e
    WHERE d.id = due.id AND e.id = d.endpoint_id
    RETURNING d.id, d.endpoint_id AS "endpointId", d.kind, d.reason, d.payload, d.status, d.attempts,
      d.next_attempt_at AS "nextAttemptAt", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
      d.created_at AS "createdAt", d.delivered_at AS "deliveredAt", e.url, e.secret`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
}

/** Records a successful delivery. */
export async function markWebhookDelivered(db: Executor, id: number, statusCode: number): Promise<void> {
  await db
    .updateTable('webhookDeliveries')
    .set((eb) => ({
      status: 'delivered',
      attempts: eb('attempts', '+', 1),
      lastStatusCode: statusCode,
      lastError: null,
      deliveredAt: sql<Date>`now()`,
    }))
    .where('id', '=', id)
    .execute();
}

/**
 * Records a failed attempt and schedules the next after `retryInMs`; after `maxAttempts` the
 * delivery is marked failed for good and stays in the log with its last error.
 */
export async function markWebhookFailed(
  db: Executor,
  id: number,
  failure: { statusCode: number | null; error: string },
  retryInMs: number,
  maxAttempts: number,
): Promise<void> {
  await db
    .updateTable('webhookDeliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      lastStatusCode: failure.statusCode,
      lastError: failure.error.slice(0, 1000),
      nextAttemptAt: new Date(Date.now() + retryInMs),
      status: eb
        .case()
        .when('attempts', '>=', maxAttempts - 1)
        .then('failed')
        .else('pending')
        .end(),
    }))
    .where('id', '=', id)
    .execute();
}

/** What asking for an immediate retry found. */
export type WebhookRetryOutcome =
  { kind: 'queued'; before: WebhookDeliveryRow; after: WebhookDeliveryRow } | { kind: 'not_found' } | { kind: 'delivered' };

/**
 * Makes a delivery of `endpointId` due now (an admin's "retry now"): a failed one becomes pending
 * again for one more attempt (its attempt count stays, so a failure marks it failed again rather
 * than restarting the backoff), a pending one waiting for its backoff is moved forward. A
 * delivered one is left alone. Guarantees: one UPDATE guarded by the status, so it never turns a
 * delivery that succeeded meanwhile back into pending; running it twice only makes it due again.
 */
export async function retryWebhookDeliveryNow(db: Executor, endpointId: string, id: number): Promise<WebhookRetryOutcome> {
  const before = await db
    .selectFrom('webhookDeliveries')
    .selectAll()
    .where('id', '=', id)
    .where('endpointId', '=', endpointId)
    .executeTakeFirst();
  if (!before) return { kind: 'not_found' };
  const after = await db
    .updateTable('webhookDeliveries')
    .set({ status: 'pending', nextAttemptAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('endpointId', '=', endpointId)
    .where('status', 'in', ['pending', 'failed'])
    .returningAll()
    .executeTakeFirst();
  if (!after) return { kind: 'delivered' };
  return { kind: 'queued', before: { ...before, id: Number(before.id) }, after: { ...after, id: Number(after.id) } };
}
