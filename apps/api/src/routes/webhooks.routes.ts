import {
  AppError,
  ErrorCode,
  Role,
  ZCreateWebhookBody,
  ZIdParam,
  ZPageQuery,
  ZPatchWebhookBody,
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
}
