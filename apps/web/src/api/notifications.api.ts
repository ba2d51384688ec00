import {
  ZMarkReadResult,
  ZNotificationPage,
  ZNotificationPreferences,
  ZUnreadCount,
  ZWebhookDelivery,
  ZWebhookDeliveryPage,
  ZWebhookEndpoint,
  ZWebhookEndpointList,
  ZWebhookWithSecret,
  type NotificationKind,
} from '@betang/core';
import { z } from 'zod';
import type { ApiClient } from './http-client';

/** GET /me/notifications, newest first. */
export const listNotifications = (api: ApiClient, cursor?: string) =>
  api.request('GET', '/me/notifications', { query: { limit: 30, cursor }, response: ZNotificationPage });
/** GET /me/notifications/unread-count. */
export const unreadCount = (api: ApiClient) => api.request('GET', '/me/notifications/unread-count', { response: ZUnreadCount });
/** POST /me/notifications/read. */
export const markRead = (api: ApiClient, ids: number[]) =>
  api.request('POST', '/me/notifications/read', { body: { ids }, response: ZMarkReadResult });
/** POST /me/notifications/read-all. */
export const markAllRead = (api: ApiClient) => api.request('POST', '/me/notifications/read-all', { response: ZMarkReadResult });
/** GET /me/notification-preferences. */
export const getPreferences = (api: ApiClient) =>
  api.request('GET', '/me/notification-preferences', { response: ZNotificationPreferences });
/** PUT /me/notification-preferences. */
export const putPreferences = (api: ApiClient, items: { kind: NotificationKind; email: boolean }[]) =>
  api.request('PUT', '/me/notification-preferences', { body: { items }, response: ZNotificationPreferences });

/** GET /webhooks (admins). */
export const listWebhooks = (api: ApiClient) => api.request('GET', '/webhooks', { response: ZWebhookEndpointList });
/** POST /webhooks: the answer holds the signing secret, shown once. */
export const createWebhook = (
  api: ApiClient,
  body: { name: string; url: string; institutionId: string | null; kinds: NotificationKind[] },
) => api.request('POST', '/webhooks', { body, response: ZWebhookWithSecret });
/** PATCH /webhooks/:id. */
export const patchWebhook = (api: ApiClient, id: string, body: { isActive?: boolean; rotateSecret?: true }) =>
  api.request('PATCH', `/webhooks/${encodeURIComponent(id)}`, {
    body,
    response: ZWebhookEndpoint.extend({ secret: z.string().optional() }),
  });
/** DELETE /webhooks/:id. */
export const deleteWebhook = (api: ApiClient, id: string) => api.request('DELETE', `/webhooks/${encodeURIComponent(id)}`);
/** GET /webhooks/:id/deliveries, newest first. */
export const listDeliveries = (api: ApiClient, id: string) =>
  api.request('GET', `/webhooks/${encodeURIComponent(id)}/deliveries`, { query: { limit: 50 }, response: ZWebhookDeliveryPage });

/**
 * Follows GET /me/notifications/events: calls `onUnread` with every change of the unread count.
 * EventSource reconnects by itself; a refused stream is reopened after a pause. Returns close().
 */
export function openUnreadEvents(onUnread: (unread: number) => void): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const open = () => {
    if (closed) return;
    source = new EventSource('/api/v1/me/notifications/events', { withCredentials: true });
    source.addEventListener('unread', ((message: MessageEvent<string>) => {
      const parsed = ZUnreadCount.safeParse(JSON.parse(message.data));
      if (parsed.success) onUnread(parsed.data.unread);
    }) as EventListener);
    source.onerror = () => {
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        timer = setTimeout(open, 10_000);
      }
    };
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
/** POST /webhooks/:id/deliveries/:deliveryId/retry: a failed (or backing-off) delivery goes out on the sender's next round. */
export const retryDelivery = (api: ApiClient, id: string, deliveryId: number) =>
  api.request('POST', `/webhooks/${encodeURIComponent(id)}/deliveries/${deliveryId}/retry`, { response: ZWebhookDelivery });
