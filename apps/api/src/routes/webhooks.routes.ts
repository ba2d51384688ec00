import {
  AppError,
  ErrorCode,
  Role,
  ZCreateWebhookBody,
  ZIdParam,
  ZPageQuery,
  ZPatchWebhookBody,
  ZWebhookDelivery,
  ZWebhookDeliveryPage,
  ZWebhookEndpoint,
  ZWebhookEndpointList,
  ZWebhookWithSecret,
  type NotificationKind,
} from '@betang/core';
import {
  appendAudit,
  deleteWebhookEndpoint,
  findInstitution,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  retryWebhookDeliveryNow,
  updateWebhookEndpoint,
  webhookDeliveryCounts,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from '@betang/db';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { auditContext } from '../http/context';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { route } from '../http/route';
import type { RoutesContext } from './router-context';

type Counts = { pending: number; delivered: number; failed: number };
const NO_DELIVERIES: Counts = { pending: 0, delivered: 0, failed: 0 };

function toEndpointDto(row: WebhookEndpointRow, counts: Counts = NO_DELIVERIES) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    institutionId: row.institutionId,
    kinds: row.kinds as NotificationKind[],
    isActive: row.isActive,
    createdAt: row.createdAt.toISOString(),
    deliveries: counts,
  };
}

function toDeliveryDto(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    reason: row.reason,
    status: row.status as 'pending' | 'delivered' | 'failed',
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt ? row.deliveredAt.toISOString() : null,
  };
}

/** A new signing secret: 32 random bytes, base64url (43 characters). */
const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Outgoing webhooks, for admins: endpoints (global or one institution's) with the kinds they
 * receive, the signing secret (shown on creation and rotation only), and each endpoint's
 * delivery log. Every change is audited, never with the secret.
 */
export function webhookRoutes({ router, registry, deps }: RoutesContext): void {
  const { db } = deps;
  const found = async (id: string) => {
    const row = await findWebhookEndpoint(db, id);
    if (!row) throw new AppError(ErrorCode.NotFound);
    return row;
  };

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/webhooks',
      tag: 'settings',
      summary: 'Webhook keluar / outgoing webhooks',
      access: [Role.Admin],
      response: ZWebhookEndpointList,
    },
    async () => {
      const counts = await webhookDeliveryCounts(db);
      return { items: (await listWebhookEndpoints(db)).map((row) => toEndpointDto(row, counts.get(row.id))) };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/webhooks',
      tag: 'settings',
      summary: 'Tambah webhook (rahasia penanda tangan ditampilkan sekali) / add a webhook (signing secret shown once)',
      access: [Role.Admin],
      body: ZCreateWebhookBody,
      response: ZWebhookWithSecret,
      status: 201,
    },
    async ({ req, res, auth, body }) => {
      if (body.institutionId && !(await findInstitution(db, body.institutionId)))
        throw new AppError(ErrorCode.ValidationFailed, { id: 'Instansi tidak ditemukan.', en: 'Institution not found.' }, [
          { path: 'body.institutionId', message: 'unknown institution', code: 'invalid_value' },
        ]);
      const secret = newWebhookSecret();
      const row = await db.transaction().execute(async (tx) => {
        const created = await insertWebhookEndpoint(tx, { ...body, secret, createdBy: auth.user.id });
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: created.institutionId,
          action: 'webhook.created',
          targetType: 'webhook',
          targetId: created.id,
          after: { name: created.name, url: created.url, kinds: created.kinds, isActive: created.isActive },
        });
        return created;
      });
      return { ...toEndpointDto(row), secret };
    },
  );

  route(
    router,
    registry,
    {
      method: 'patch',
      path: '/webhooks/{id}',
      tag: 'settings',
      summary: 'Ubah webhook; rotateSecret membuat rahasia baru / change a webhook; rotateSecret issues a new secret',
      access: [Role.Admin],
      params: ZIdParam,
      body: ZPatchWebhookBody,
      response: ZWebhookEndpoint.extend({ secret: z.string().optional() }),
    },
    async ({ req, res, params, body }) => {
      const before = await found(params.id);
      const { rotateSecret, ...fields } = body;
      const secret = rotateSecret ? newWebhookSecret() : undefined;
      const row = await db.transaction().execute(async (tx) => {
        const updated = await updateWebhookEndpoint(tx, params.id, { ...fields, ...(secret ? { secret } : {}) });
        if (!updated) throw new AppError(ErrorCode.NotFound);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: updated.institutionId,
          action: 'webhook.updated',
          targetType: 'webhook',
          targetId: updated.id,
          before: { name: before.name, url: before.url, kinds: before.kinds, isActive: before.isActive },
          after: { name: updated.name, url: updated.url, kinds: updated.kinds, isActive: updated.isActive, secretRotated: !!secret },
        });
        return updated;
      });
      const counts = await webhookDeliveryCounts(db);
      return { ...toEndpointDto(row, counts.get(row.id)), ...(secret ? { secret } : {}) };
    },
  );

  route(
    router,
    registry,
    {
      method: 'delete',
      path: '/webhooks/{id}',
      tag: 'settings',
      summary: 'Hapus webhook beserta log pengirimannya / delete a webhook and its delivery log',
      access: [Role.Admin],
      params: ZIdParam,
    },
    async ({ req, res, params }) => {
      const before = await found(params.id);
      await db.transaction().execute(async (tx) => {
        if (!(await deleteWebhookEndpoint(tx, params.id))) throw new AppError(ErrorCode.NotFound);
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: before.institutionId,
          action: 'webhook.deleted',
          targetType: 'webhook',
          targetId: before.id,
          before: { name: before.name, url: before.url, kinds: before.kinds },
        });
      });
    },
  );

  route(
    router,
    registry,
    {
      method: 'get',
      path: '/webhooks/{id}/deliveries',
      tag: 'settings',
      summary: 'Log pengiriman webhook (terbaru dulu) / webhook delivery log (newest first)',
      access: [Role.Admin],
      params: ZIdParam,
      query: ZPageQuery,
      response: ZWebhookDeliveryPage,
    },
    async ({ params, query }) => {
      await found(params.id);
      const beforeId = decodeCursor(z.number().int().positive(), query.cursor);
      const rows = await listWebhookDeliveries(db, params.id, { limit: query.limit, ...(beforeId !== undefined ? { beforeId } : {}) });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(toDeliveryDto), nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
    },
  );

  route(
    router,
    registry,
    {
      method: 'post',
      path: '/webhooks/{id}/deliveries/{deliveryId}/retry',
      tag: 'settings',
      summary:
        'Kirim ulang sekarang pengiriman webhook yang gagal atau menunggu jeda (bukan yang sudah terkirim) / retry now a webhook delivery that failed or waits for its backoff (not one that was delivered)',
      access: [Role.Admin],
      params: z.strictObject({ id: z.uuid(), deliveryId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
      response: ZWebhookDelivery,
    },
    async ({ req, res, params }) => {
      const endpoint = await found(params.id);
      if (!endpoint.isActive)
        throw new AppError(ErrorCode.InvalidState, {
          id: 'Webhook ini dinonaktifkan; aktifkan dulu agar pengirimannya dapat diulang.',
          en: 'This webhook is switched off; switch it on first so its deliveries can be retried.',
        });
      return db.transaction().execute(async (tx) => {
        const outcome = await retryWebhookDeliveryNow(tx, params.id, params.deliveryId);
        if (outcome.kind === 'not_found') throw new AppError(ErrorCode.NotFound);
        if (outcome.kind === 'delivered')
          throw new AppError(ErrorCode.InvalidState, {
            id: 'Pengiriman ini sudah berhasil; tidak perlu dikirim ulang.',
            en: 'This delivery already succeeded; there is nothing to retry.',
          });
        await appendAudit(tx, {
          ...auditContext(req, res),
          institutionId: endpoint.institutionId,
          action: 'webhook.delivery_retried',
          targetType: 'webhook',
          targetId: endpoint.id,
          before: { deliveryId: outcome.before.id, status: outcome.before.status, attempts: outcome.before.attempts },
          after: { deliveryId: outcome.after.id, status: outcome.after.status },
        });
        // The worker's sender polls every second: the delivery goes out on its next round.
        return toDeliveryDto(outcome.after);
      });
    },
  );
}
