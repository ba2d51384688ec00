import {
  AppError,
  ErrorCode,
  NOTIFICATION_KINDS,
  ZMarkReadBody,
  ZMarkReadResult,
  ZNotificationListQuery,
  ZNotificationPage,
  ZNotificationPreferences,
  ZPutNotificationPreferences,
  ZUnreadCount,
  type NotificationKind,
} from '@betang/core';
import {
  getNotificationPreferences,
  listNotifications,
  markNotificationsRead,
  notificationSummary,
  setNotificationPreferences,
  type NotificationRow,
} from '@betang/db';
import { z } from 'zod';
import { openEventStream } from '../events/event-stream';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { locals } from '../http/context';
import { route } from '../http/route';
import type { RoutesContext } from './router-context';

function toNotificationDto(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    title: row.title,
    body: row.body,
    link: row.link,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt ? row.readAt.toISOString() : null,
  };
}

/** Streams one user may hold open at once (tabs); more are refused with 429. */
const MAX_STREAMS_PER_USER = 10;
/** How often an open stream looks for a changed unread count. */
const STREAM_POLL_MS = 2000;
const STREAM_OPTIONS = { retryMs: 3000, heartbeatMs: 15_000, maxDurationMs: 15 * 60_000, maxBufferedBytes: 1 << 16 };

/**
 * The signed-in user's notification centre: their notifications (cursor-paged, newest first),
 * the unread count, marking read, e-mail preferences per kind, and a live stream of the unread
 * count for the bell. Every route reads and writes only the caller's own rows.
 */
export function notificationRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const openStreams = new Map<string, number>();

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/me/notifications',
      tag: 'me',
      summary: 'Notifikasi saya (terbaru dulu) / my notifications (newest first)',
      access: 'user',
      query: ZNotificationListQuery,
      response: ZNotificationPage,
    },
    async ({ auth, query }) => {
      const beforeId = decodeCursor(z.number().int().positive(), query.cursor);
      const rows = await listNotifications(db, auth.user.id, {
        limit: query.limit,
        unreadOnly: query.unread === 'true',
        ...(beforeId !== undefined ? { beforeId } : {}),
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toNotificationDto),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
        unread: (await notificationSummary(db, auth.user.id)).unread,
      };
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/me/notifications/unread-count',
      tag: 'me',
      summary: 'Jumlah notifikasi belum dibaca / unread notification count',
      access: 'user',
      response: ZUnreadCount,
    },
    async ({ auth }) => notificationSummary(db, auth.user.id),
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/me/notifications/events',
      tag: 'me',
      summary: 'Jumlah belum dibaca secara langsung (SSE, peristiwa `unread`) / live unread count (SSE, event `unread`)',
      access: 'user',
      writes: 'text/event-stream',
    },
    async ({ req, res, auth }) => {
      const userId = auth.user.id;
      const open = openStreams.get(userId) ?? 0;
      if (open >= MAX_STREAMS_PER_USER)
        throw new AppError(ErrorCode.RateLimited, {
          id: `Terlalu banyak aliran notifikasi terbuka (maksimal ${MAX_STREAMS_PER_USER}). Tutup tab lain lalu coba lagi.`,
          en: `Too many open notification streams (at most ${MAX_STREAMS_PER_USER}). Close other tabs and try again.`,
        });
      openStreams.set(userId, open + 1);
      const stream = openEventStream(req, res, STREAM_OPTIONS);
      let last = '';
      let timer: NodeJS.Timeout | undefined;
      const tick = async () => {
        try {
          const summary = await notificationSummary(db, userId);
          const key = `${summary.unread}:${summary.latestId}`;
          if (key !== last && !stream.closed) {
            last = key;
            stream.send('unread', summary.latestId, summary);
          }
        } catch (error) {
          locals(res).log.warn({ err: error }, 'jumlah notifikasi gagal dibaca / reading the unread count failed');
        }
        if (!stream.closed) {
          timer = setTimeout(() => void tick(), STREAM_POLL_MS);
          timer.unref();
        }
      };
      stream.onClose(() => {
        if (timer) clearTimeout(timer);
        const left = (openStreams.get(userId) ?? 1) - 1;
        if (left > 0) openStreams.set(userId, left);
        else openStreams.delete(userId);
      });
      await tick();
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/notifications/read',
      tag: 'me',
      summary: 'Tandai notifikasi dibaca / mark notifications read',
      access: 'user',
      body: ZMarkReadBody,
      response: ZMarkReadResult,
    },
    async ({ auth, body }) => {
      const marked = await markNotificationsRead(db, auth.user.id, body.ids);
      return { marked, unread: (await notificationSummary(db, auth.user.id)).unread };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/me/notifications/read-all',
      tag: 'me',
      summary: 'Tandai semua notifikasi dibaca / mark every notification read',
      access: 'user',
      response: ZMarkReadResult,
    },
    async ({ auth }) => ({ marked: await markNotificationsRead(db, auth.user.id, 'all'), unread: 0 }),
  );

  const preferences = async (userId: string) => {
    const stored = await getNotificationPreferences(db, userId);
    return { items: NOTIFICATION_KINDS.map((kind) => ({ kind, email: stored.get(kind) ?? true })) };
  };

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/me/notification-preferences',
      tag: 'me',
      summary: 'Pilihan e-mail per jenis notifikasi / e-mail choice per notification kind',
      access: 'user',
      response: ZNotificationPreferences,
    },
    async ({ auth }) => preferences(auth.user.id),
  );

  route(
    router,
    registry,
    {
      method: 'put',
      path: '/me/notification-preferences',
      tag: 'me',
      summary: 'Ubah pilihan e-mail per jenis (notifikasi di aplikasi selalu ada) / change the e-mail choice per kind (in-app always)',
      access: 'user',
      body: ZPutNotificationPreferences,
      response: ZNotificationPreferences,
    },
    async ({ auth, body }) => {
      await setNotificationPreferences(db, auth.user.id, body.items);
      return preferences(auth.user.id);
    },
  );
}
