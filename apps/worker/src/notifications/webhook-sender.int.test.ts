import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '@betang/core';
import { notify, retryWebhookDeliveryNow, type Db } from '@betang/db';
import { createTestDatabase, makeInstitution, makeUser, testLogDestination, testLogOptions, type TestDatabase } from '@betang/testkit';
import { pino } from 'pino';
import { deliverWebhooksOnce, WEBHOOK_MAX_ATTEMPTS } from './webhook-sender';
import { signWebhook, verifyWebhook } from './webhook-signature';

const logger = pino(testLogOptions('webhook-sender'), testLogDestination('webhook-sender'));
const SECRET = 'whsec_rahasia-uji-yang-cukup-panjang-0001';
const text = (s: string) => ({ id: `${s} (id)`, en: `${s} (en)` });

type Received = { headers: IncomingMessage['headers']; body: string; verified: boolean };

/** A real HTTP receiver on loopback that checks every signature and answers from a script. */
async function receiver(script: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhook(SECRET, body, String(req.headers['betang-signature'] ?? ''));
      received.push({ headers: req.headers, body, verified });
      res.statusCode = script[received.length - 1] ?? 200;
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('webhook sender', () => {
  let t: TestDatabase;
  let db: Db;
  let institutionId: string;
  let userId: string;
  let n = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    institutionId = (await makeInstitution(db)).id;
    userId = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId })).id;
  });
  afterAll(() => t.drop());

  const endpoint = (url: string, o: { institutionId?: string | null; kinds?: string[] } = {}) =>
    db
      .insertInto('webhookEndpoints')
      .values({ name: `uji ${++n}`, url, institutionId: o.institutionId ?? null, kinds: o.kinds ?? ['vps.ready'], secret: SECRET })
      .returning('id')
      .executeTakeFirstOrThrow();
  const event = (kind: 'vps.ready' | 'request.rejected', forInstitution: string | null = institutionId) =>
    notify(db, {
      kind,
      reason: `uji:${++n}`,
      recipients: [userId],
      institutionId: forInstitution,
      title: text('VPS siap'),
      body: text('isi'),
      link: '/vps-requests',
      webhook: { hostname: 'web-01' },
    });
  const deliveries = (endpointId: string) =>
    db.selectFrom('webhookDeliveries').selectAll().where('endpointId', '=', endpointId).orderBy('id').execute();
  const makeDue = () =>
    db
      .updateTable('webhookDeliveries')
      .set({ nextAttemptAt: new Date(Date.now() - 1000) })
      .where('status', '=', 'pending')
      .execute();

  it('should post a signed body, retry after a 500 with backoff, and log both attempts', async () => {
    const r = await receiver([500, 200]);
    try {
      const { id } = await endpoint(r.url);
      await event('vps.ready');
      expect(await deliverWebhooksOnce(db, logger)).toBe(1);
      const [failed] = await deliveries(id);
      expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
      // The next try waits for the backoff: nothing is due right away.
      expect(failed!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 5_000);
      expect(await deliverWebhooksOnce(db, logger)).toBe(0);

      await makeDue();
      expect(await deliverWebhooksOnce(db, logger)).toBe(1);
      const [delivered] = await deliveries(id);
      expect(delivered).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null });
      expect(delivered!.deliveredAt).toBeInstanceOf(Date);

      expect(r.received).toHaveLength(2);
      expect(r.received.every((x) => x.verified)).toBe(true);
      // Every attempt carries the same delivery id, so the receiver can de-duplicate.
      const bodies = r.received.map((x) => JSON.parse(x.body) as { id: number; kind: string; event: { data: { hostname: string } } });
      expect(bodies[0]!.id).toBe(bodies[1]!.id);
      expect(bodies[0]).toMatchObject({ kind: 'vps.ready', event: { data: { hostname: 'web-01' }, institutionId } });
      expect(r.received[0]!.headers['content-type']).toBe('application/json');
      expect(JSON.stringify(r.received)).not.toContain(SECRET);
    } finally {
      await r.close();
    }
  });

  it('should send only the kinds an endpoint wants, and an institution endpoint only its own institution’s events', async () => {
    const other = (await makeInstitution(db)).id;
    const r = await receiver([]);
    try {
      const wanted = await endpoint(r.url, { institutionId, kinds: ['vps.ready'] });
      await event('request.rejected');
      await event('vps.ready', other);
      await event('vps.ready', null);
      expect(await deliveries(wanted.id)).toEqual([]);
      await event('vps.ready');
      await deliverWebhooksOnce(db, logger);
      expect((await deliveries(wanted.id)).map((d) => d.status)).toEqual(['delivered']);
    } finally {
      await r.close();
    }
  });

  it('should give up after the last attempt on an unreachable endpoint, keeping the error in the log', async () => {
    const r = await receiver([]);
    const url = r.url;
    await r.close();
    const { id } = await endpoint(url.replace('/hook', '/mati'), { kinds: ['request.rejected'] });
    await event('request.rejected');
    for (let i = 0; i < WEBHOOK_MAX_ATTEMPTS; i++) {
      await makeDue();
      await deliverWebhooksOnce(db, logger, { timeoutMs: 2000 });
    }
    const [row] = await deliveries(id);
    expect(row).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS, lastStatusCode: null });
    expect(row!.lastError).toMatch(/ECONNREFUSED|refused/i);
    await makeDue();
    await deliverWebhooksOnce(db, logger);
    expect((await deliveries(id))[0]!.attempts).toBe(WEBHOOK_MAX_ATTEMPTS);
  });

  it('should post a delivery that failed for good once more when an admin retries it now, and never one that succeeded', async () => {
    // Down for every scheduled attempt, then back: the receiver answers 503 ten times, then 200.
    const r = await receiver([...Array<number>(WEBHOOK_MAX_ATTEMPTS).fill(503), 503, 200]);
    try {
      const { id } = await endpoint(r.url, { kinds: ['request.rejected'] });
      await event('request.rejected');
      for (let i = 0; i < WEBHOOK_MAX_ATTEMPTS; i++) {
        await makeDue();
        await deliverWebhooksOnce(db, logger);
      }
      const [failed] = await deliveries(id);
      expect(failed).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS, lastStatusCode: 503 });
      const deliveryId = Number(failed!.id);

      // One more attempt, right away (no makeDue): still down, so it is failed again rather than backing off anew.
      expect(await retryWebhookDeliveryNow(db, id, deliveryId)).toMatchObject({ kind: 'queued', after: { status: 'pending' } });
      expect(await deliverWebhooksOnce(db, logger)).toBe(1);
      expect((await deliveries(id))[0]).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS + 1 });

      // The receiver is back: the next retry is delivered, signed, with the same delivery id.
      expect((await retryWebhookDeliveryNow(db, id, deliveryId)).kind).toBe('queued');
      expect(await deliverWebhooksOnce(db, logger)).toBe(1);
      expect((await deliveries(id))[0]).toMatchObject({ status: 'delivered', lastStatusCode: 200, lastError: null });
      expect(r.received).toHaveLength(WEBHOOK_MAX_ATTEMPTS + 2);
      expect(r.received.every((x) => x.verified)).toBe(true);
      expect(new Set(r.received.map((x) => (JSON.parse(x.body) as { id: number }).id))).toEqual(new Set([deliveryId]));

      // Delivered: refused, and nothing goes out again.
      expect(await retryWebhookDeliveryNow(db, id, deliveryId)).toEqual({ kind: 'delivered' });
      expect(await deliverWebhooksOnce(db, logger)).toBe(0);
      expect(r.received).toHaveLength(WEBHOOK_MAX_ATTEMPTS + 2);
      // Another endpoint's id for the delivery finds nothing.
      const other = await endpoint(r.url);
      expect(await retryWebhookDeliveryNow(db, other.id, deliveryId)).toEqual({ kind: 'not_found' });
    } finally {
      await r.close();
    }
  });

  it('should refuse a tampered body, a wrong secret and a replayed (stale) signature', () => {
    const body = JSON.stringify({ id: 1, kind: 'vps.ready' });
    const now = Date.now();
    const header = signWebhook(SECRET, body, Math.floor(now / 1000));
    expect(verifyWebhook(SECRET, body, header, now)).toBe(true);
    expect(verifyWebhook(SECRET, body.replace('1', '2'), header, now)).toBe(false);
    expect(verifyWebhook(`${SECRET}x`, body, header, now)).toBe(false);
    expect(verifyWebhook(SECRET, body, header, now + 10 * 60_000)).toBe(false);
    expect(verifyWebhook(SECRET, body, 'v1=abc', now)).toBe(false);
  });
});
