import { z } from 'zod';
import { NOTIFICATION_KINDS, ZNotificationDto, ZNotificationKind } from '../notifications';
import { ZPageQuery, zPage, zText } from './common';
import { CONTRACT_MESSAGES, worded } from './messages';

/** `GET /me/notifications` query: a page, optionally only the unread ones. */
export const ZNotificationListQuery = ZPageQuery.extend({
  unread: z.enum(['true', 'false']).optional(),
});

/** `GET /me/notifications` answer: newest first, with the unread count for the bell. */
export const ZNotificationPage = zPage(ZNotificationDto).extend({ unread: z.number().int() });

/** `GET /me/notifications/unread-count` answer. */
export const ZUnreadCount = z.object({ unread: z.number().int(), latestId: z.number().int() });

/** `POST /me/notifications/read` body: the ids to mark read (others' ids are ignored). */
export const ZMarkReadBody = z.strictObject({
  ids: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(200),
});

/** Answer of the mark-read routes. */
export const ZMarkReadResult = z.object({ marked: z.number().int(), unread: z.number().int() });

/** One kind with the user's e-mail choice. */
const ZPreference = z.object({ kind: ZNotificationKind, email: z.boolean() });

/** `GET /me/notification-preferences` answer: every kind, e-mailed unless turned off. */
export const ZNotificationPreferences = z.object({ items: z.array(ZPreference) });

/** `PUT /me/notification-preferences` body: the kinds to change; others keep their choice. */
export const ZPutNotificationPreferences = z.strictObject({
  items: z
    .array(z.strictObject({ kind: ZNotificationKind, email: z.boolean() }))
    .min(1)
    .max(NOTIFICATION_KINDS.length)
    .refine((items) => new Set(items.map((i) => i.kind)).size === items.length, worded(CONTRACT_MESSAGES.duplicateKind)),
});

/**
 * A webhook endpoint URL: http or https only, no credentials in it, at most 2000 characters.
 * Plain http is allowed for gateways inside the office network.
 */
export const ZWebhookUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.hostname !== '';
  }, worded(CONTRACT_MESSAGES.webhookUrl));

/** `POST /webhooks` body. Without `institutionId` the endpoint is global (every institution's events). */
export const ZCreateWebhookBody = z.strictObject({
  name: zText({ min: 1, max: 120 }),
  url: ZWebhookUrl,
  institutionId: z.uuid().nullable().default(null),
  kinds: z
    .array(ZNotificationKind)
    .min(1)
    .max(NOTIFICATION_KINDS.length)
    .refine((k) => new Set(k).size === k.length, worded(CONTRACT_MESSAGES.duplicateKind)),
  isActive: z.boolean().default(true),
});

/** `PATCH /webhooks/{id}` body: any of the fields; `rotateSecret` issues a new signing secret. */
export const ZPatchWebhookBody = z.strictObject({
  name: zText({ min: 1, max: 120 }).optional(),
  url: ZWebhookUrl.optional(),
  kinds: ZCreateWebhookBody.shape.kinds.optional(),
  isActive: z.boolean().optional(),
  rotateSecret: z.literal(true).optional(),
});

/** A webhook endpoint as admins see it. The secret is shown only when created or rotated. */
export const ZWebhookEndpoint = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  institutionId: z.uuid().nullable(),
  kinds: z.array(ZNotificationKind),
  isActive: z.boolean(),
  createdAt: z.string(),
  /** Delivery counts by status. */
  deliveries: z.object({ pending: z.number().int(), delivered: z.number().int(), failed: z.number().int() }),
});
export const ZWebhookEndpointList = z.object({ items: z.array(ZWebhookEndpoint) });
export const ZWebhookWithSecret = ZWebhookEndpoint.extend({ secret: z.string() });

/** One row of an endpoint's delivery log. */
export const ZWebhookDelivery = z.object({
  id: z.number().int(),
  kind: ZNotificationKind,
  reason: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export const ZWebhookDeliveryPage = zPage(ZWebhookDelivery);
