import { ZNotificationDraft, type NotificationDraft, type NotificationKind } from '@betang/core';
import { sql } from 'kysely';
import type { Executor } from '../database';
import { enqueueEmail, OutboxPayloadError } from './outbox.repository';

/** A stored notification, as the centre reads it. */
export type NotificationRow = {
  id: number;
  kind: string;
  title: { id: string; en: string };
  body: { id: string; en: string };
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
};

/** What one call of `notify` did: new in-app rows, e-mails queued, webhook deliveries queued. */
export type NotifyResult = { notified: number; emailed: number; webhooks: number };

/**
 * Delivers one cause to its recipients, in the caller's transaction (it commits with the change
 * that caused it): an in-app notification for every active recipient, an e-mail to those who did
 * not turn that kind off, and a webhook delivery for every active endpoint that wants the kind
 * (global ones, and the concerned institution's). Running it twice is safe: `reason` is unique
 * per recipient and per endpoint, so a repeat adds nothing and queues nothing.
 */
export async function notify(db: Executor, input: NotificationDraft): Promise<NotifyResult> {
  const parsed = ZNotificationDraft.safeParse(input);
  if (!parsed.success) throw new OutboxPayloadError('notification', parsed.error.message);
  const draft = parsed.data;
  let notified = 0;
  let emailed = 0;
  const recipients = [...new Set(draft.recipients)];
  if (recipients.length > 0) {
    const inserted = await db
      .insertInto('notifications')
      .columns(['userId', 'kind', 'title', 'body', 'link', 'reason'])
      .expression((eb) =>
        eb
          .selectFrom('users')
          .select((s) => [
            'users.id',
            s.val(draft.kind).as('kind'),
            s.val(JSON.stringify(draft.title)).as('title'),
            s.val(JSON.stringify(draft.body)).as('body'),
            s.val(draft.link).as('link'),
            s.val(draft.reason).as('reason'),
          ])
          .where('users.id', 'in', recipients)
          .where('users.isActive', '=', true),
      )
      .onConflict((oc) => oc.columns(['userId', 'reason']).doNothing())
      .returning(['id', 'userId'])
      .execute();
    notified = inserted.length;
    if (inserted.length > 0) {
      const users = await db
        .selectFrom('users')
        .leftJoin('notificationPreferences as p', (join) => join.onRef('p.userId', '=', 'users.id').on('p.kind', '=', draft.kind))
        .select(['users.id', 'users.email', 'users.locale', 'p.email as wantsEmail'])
        .where(
          'users.id',
          'in',
          inserted.map((r) => r.userId),
        )
        .execute();
      const byUser = new Map(inserted.map((r) => [r.userId, r.id]));
      for (const user of users) {
        if (user.wantsEmail === false) continue;
        const notificationId = byUser.get(user.id);
        const queued = await enqueueEmail(
          db,
          {
            to: [user.email],
            locale: user.locale === 'en' ? 'en' : 'id',
            subject: draft.title,
            text: draft.body,
            reason: draft.reason.slice(0, 200),
            ...(draft.link ? { link: draft.link } : {}),
          },
          `notification:${notificationId}`,
        );
        if (queued) emailed++;
      }
    }
  }
  const webhooks = await queueWebhookDeliveries(db, draft.kind, draft.reason, draft.institutionId, draft.webhookAudience, {
    kind: draft.kind,
    reason: draft.reason,
    institutionId: draft.institutionId,
    title: draft.title,
    body: draft.body,
    link: draft.link,
    data: draft.webhook,
  });
  return { notified, emailed, webhooks };
}

/**
 * Queues one delivery of an event to every active endpoint that wants `kind` (global endpoints
 * and those of `institutionId`). A repeat of the same reason queues nothing (unique per endpoint).
 */
async function queueWebhookDeliveries(
  db: Executor,
  kind: NotificationKind,
  reason: string,
  institutionId: string | null,
  audience: 'all' | 'global' | 'institution' | 'none',
  event: Record<string, unknown>,
): Promise<number> {
  if (audience === 'none' || (audience === 'institution' && !institutionId)) return 0;
  const endpoints = await db
    .selectFrom('webhookEndpoints')
    .select('id')
    .where('isActive', '=', true)
    .where(sql<boolean>`${kind} = ANY(kinds)`)
    .where((eb) => {
      const global = eb('institutionId', 'is', null);
      if (audience === 'global' || !institutionId) return global;
      const own = eb('institutionId', '=', institutionId);
      return audience === 'institution' ? own : eb.or([global, own]);
    })
    .execute();
  if (endpoints.length === 0) return 0;
  const rows = await db
    .insertInto('webhookDeliveries')
    .values(endpoints.map((e) => ({ endpointId: e.id, kind, reason, payload: JSON.stringify(event) })))
    .onConflict((oc) => oc.columns(['endpointId', 'reason']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

/** Active users holding `role` (within `institutionId` when given): the recipients of a role's notifications. */
export async function userIdsWithRole(db: Executor, role: string, institutionId?: string): Promise<string[]> {
  let query = db
    .selectFrom('users')
    .innerJoin('userRoles', 'userRoles.userId', 'users.id')
    .select('users.id')
    .distinct()
    .where('userRoles.role', '=', role)
    .where('users.isActive', '=', true);
  if (institutionId) query = query.where('users.institutionId', '=', institutionId);
  return (await query.orderBy('users.id').limit(200).execute()).map((r) => r.id);
}

/** A user's notifications, newest first, before `beforeId` (keyset); `limit + 1` rows so the caller knows about a next page. */
export async function listNotifications(
  db: Executor,
  userId: string,
  options: { beforeId?: number; limit: number; unreadOnly?: boolean },
): Promise<NotificationRow[]> {
  let query = db
    .selectFrom('notifications')
    .select(['id', 'kind', 'title', 'body', 'link', 'createdAt', 'readAt'])
    .where('userId', '=', userId);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.unreadOnly) query = query.where('readAt', 'is', null);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), title: r.title as NotificationRow['title'], body: r.body as NotificationRow['body'] }));
}

/** How many of a user's notifications are unread, and the newest id (0 without any). */
export async function notificationSummary(db: Executor, userId: string): Promise<{ unread: number; latestId: number }> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => [
      eb.fn.count<string>('id').filterWhere('readAt', 'is', null).as('unread'),
      eb.fn.coalesce(eb.fn.max('id'), sql<number>`0`).as('latestId'),
    ])
    .where('userId', '=', userId)
    .executeTakeFirstOrThrow();
  return { unread: Number(row.unread), latestId: Number(row.latestId) };
}

/** Marks the given notifications of `userId` read (others' ids are ignored). Returns how many changed. */
export async function markNotificationsRead(db: Executor, userId: string, ids: number[] | 'all'): Promise<number> {
  let query = db
    .updateTable('notifications')
    .set({ readAt: sql<Date>`now()` })
    .where('userId', '=', userId)
    .where('readAt', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return 0;
    query = query.where('id', 'in', ids);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A user's e-mail choices: the kinds they turned off or on explicitly (absent = e-mailed). */
export async function getNotificationPreferences(db: Executor, userId: string): Promise<Map<string, boolean>> {
  const rows = await db.selectFrom('notificationPreferences').select(['kind', 'email']).where('userId', '=', userId).execute();
  return new Map(rows.map((r) => [r.kind, r.email]));
}

/** Stores a user's e-mail choice per kind (upsert); kinds not given keep their choice. */
export async function setNotificationPreferences(db: Executor, userId: string, choices: { kind: string; email: boolean }[]): Promise<void> {
  if (choices.length === 0) return;
  await db
    .insertInto('notificationPreferences')
    .values(choices.map((c) => ({ userId, kind: c.kind, email: c.email })))
    .onConflict((oc) =>
      oc.columns(['userId', 'kind']).doUpdateSet((eb) => ({ email: eb.ref('excluded.email'), updatedAt: sql<Date>`now()` })),
    )
    .execute();
}

/**
 * Deletes read notifications older than `readBefore` and finished webhook deliveries (delivered or
 * failed) older than `finishedBefore`. Unread notifications and pending deliveries are kept
 * whatever their age. Running it twice deletes nothing more.
 */
export async function pruneNotifications(
  db: Executor,
  readBefore: Date,
  finishedBefore: Date,
): Promise<{ notifications: number; deliveries: number }> {
  const n = await db.deleteFrom('notifications').where('readAt', 'is not', null).where('createdAt', '<', readBefore).executeTakeFirst();
  const d = await db
    .deleteFrom('webhookDeliveries')
    .where('status', 'in', ['delivered', 'failed'])
    .where('createdAt', '<', finishedBefore)
    .executeTakeFirst();
  return { notifications: Number(n.numDeletedRows), deliveries: Number(d.numDeletedRows) };
}
