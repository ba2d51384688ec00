import { Role } from '@betang/core';
import { notify } from '@betang/db';
import { makeInstitution, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

const text = (s: string) => ({ id: `${s} (id)`, en: `${s} (en)` });

describe('webhook delivery "retry now" (admin)', () => {
  let h: ApiHarness;
  let admin: SignedIn;
  let operator: SignedIn;
  let staffId: string;
  let n = 0;

  beforeAll(async () => {
    h = await startApiHarness();
    const db = h.database.db;
    const institution = await makeInstitution(db);
    staffId = (await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id })).id;
    admin = await signInAs(h.app, (await makeUser(db, { roles: [Role.Admin] })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  const post = (who: SignedIn, path: string, body?: object) =>
    who.agent.post(`/api/v1${path}`).set('X-CSRF-Token', who.csrfToken).set('Accept-Language', 'id').send(body);

  /** A webhook endpoint with one delivery in `status`; returns both ids. */
  async function deliveryIn(status: 'failed' | 'delivered' | 'pending') {
    const created = await post(admin, '/webhooks', { name: `Gerbang ${++n}`, url: 'http://127.0.0.1:9/hook', kinds: ['request.approved'] });
    const endpointId = created.body.id as string;
    await notify(h.database.db, {
      kind: 'request.approved',
      reason: `uji:${n}`,
      recipients: [staffId],
      institutionId: null,
      title: text('judul'),
      body: text('isi'),
      link: '/vps-requests',
    });
    const row = await h.database.db
      .updateTable('webhookDeliveries')
      .set({
        status,
        attempts: status === 'pending' ? 3 : 10,
        lastStatusCode: status === 'delivered' ? 200 : 503,
        lastError: status === 'delivered' ? null : 'HTTP 503',
        nextAttemptAt: new Date(Date.now() + 3_600_000),
        ...(status === 'delivered' ? { deliveredAt: new Date() } : {}),
      })
      .where('endpointId', '=', endpointId)
      .returning('id')
      .executeTakeFirstOrThrow();
    return { endpointId, deliveryId: Number(row.id) };
  }

  it('should make a failed delivery due now, answer it as pending, and audit it', async () => {
    const { endpointId, deliveryId } = await deliveryIn('failed');
    const answer = await post(admin, `/webhooks/${endpointId}/deliveries/${deliveryId}/retry`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: deliveryId, status: 'pending', attempts: 10, lastError: 'HTTP 503' });
    expect(new Date(answer.body.nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const log = await admin.agent.get(`/api/v1/webhooks/${endpointId}/deliveries`);
    expect(log.body.items[0]).toMatchObject({ id: deliveryId, status: 'pending' });
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'before', 'after', 'targetId'])
      .where('action', '=', 'webhook.delivery_retried')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      targetId: endpointId,
      before: { deliveryId, status: 'failed', attempts: 10 },
      after: { deliveryId, status: 'pending' },
    });
  });

  it('should move a delivery waiting for its backoff forward', async () => {
    const { endpointId, deliveryId } = await deliveryIn('pending');
    const answer = await post(admin, `/webhooks/${endpointId}/deliveries/${deliveryId}/retry`);
    expect(answer.status).toBe(200);
    expect(new Date(answer.body.nextAttemptAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('should refuse a delivery that succeeded, with a message in the caller’s language, and change nothing', async () => {
    const { endpointId, deliveryId } = await deliveryIn('delivered');
    const answer = await post(admin, `/webhooks/${endpointId}/deliveries/${deliveryId}/retry`);
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toBe('Pengiriman ini sudah berhasil; tidak perlu dikirim ulang.');
    const row = await h.database.db
      .selectFrom('webhookDeliveries')
      .select(['status'])
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');
  });

  it('should refuse a switched-off webhook, other endpoints’ deliveries, non-admins and hostile ids', async () => {
    const { endpointId, deliveryId } = await deliveryIn('failed');
    const other = await deliveryIn('failed');
    // The delivery exists, but under another endpoint: 404, nothing changed.
    expect((await post(admin, `/webhooks/${other.endpointId}/deliveries/${deliveryId}/retry`)).status).toBe(404);
    expect((await post(admin, `/webhooks/00000000-0000-4000-8000-000000000000/deliveries/${deliveryId}/retry`)).status).toBe(404);
    expect((await post(admin, `/webhooks/${endpointId}/deliveries/999999999/retry`)).status).toBe(404);
    expect((await post(operator, `/webhooks/${endpointId}/deliveries/${deliveryId}/retry`)).status).toBe(403);
    expect((await admin.agent.post(`/api/v1/webhooks/${endpointId}/deliveries/${deliveryId}/retry`)).status).toBe(403);
    for (const hostile of ['1;rm%20-rf%20%2F', '-1', '0', '1.5', '9'.repeat(40), '%24(id)']) {
      expect((await post(admin, `/webhooks/${endpointId}/deliveries/${hostile}/retry`)).status).toBe(400);
    }
    const status = async () =>
      (await h.database.db.selectFrom('webhookDeliveries').select(['status']).where('id', '=', deliveryId).executeTakeFirstOrThrow())
        .status;
    expect(await status()).toBe('failed');

    await h.database.db.updateTable('webhookEndpoints').set({ isActive: false }).where('id', '=', endpointId).execute();
    const off = await post(admin, `/webhooks/${endpointId}/deliveries/${deliveryId}/retry`);
    expect(off.status).toBe(409);
    expect(await status()).toBe('failed');
  });
});
