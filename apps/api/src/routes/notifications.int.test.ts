import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTRACT_MESSAGES, Role } from '@betang/core';
import { notify } from '@betang/db';
import { makeInstitution, makeUser } from '@betang/testkit';
import { startApiHarness, signInAs, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { loginCookie, openSse } from '../testing/sse-client';

const text = (s: string) => ({ id: `${s} (id)`, en: `${s} (en)` });

describe('notification centre and webhooks API', () => {
  let h: ApiHarness;
  let staff: SignedIn;
  let staffId: string;
  let staffEmail: string;
  let other: SignedIn;
  let otherId: string;
  let admin: SignedIn;
  let operator: SignedIn;
  let n = 0;

  const tell = async (userIds: string[], title = `t${++n}`) =>
    notify(h.database.db, {
      kind: 'request.approved',
      reason: `uji:${n}:${title}`,
      recipients: userIds,
      institutionId: null,
      title: text(title),
      body: text('isi'),
      link: '/vps-requests',
    });
  const post = (who: SignedIn, path: string, body?: object) =>
    who.agent.post(`/api/v1${path}`).set('X-CSRF-Token', who.csrfToken).send(body);

  beforeAll(async () => {
    h = await startApiHarness();
    const db = h.database.db;
    const institution = await makeInstitution(db);
    const staffUser = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const otherUser = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    staffId = staffUser.id;
    staffEmail = staffUser.email;
    otherId = otherUser.id;
    staff = await signInAs(h.app, staffUser.email);
    other = await signInAs(h.app, otherUser.email);
    admin = await signInAs(h.app, (await makeUser(db, { roles: [Role.Admin] })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  it('should list only the caller’s notifications newest first, page them, count and mark read', async () => {
    for (let i = 0; i < 3; i++) await tell([staffId, otherId]);
    const first = await staff.agent.get('/api/v1/me/notifications?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.unread).toBe(3);
    expect(first.body.items[0].title).toEqual(text(`t${n}`));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await staff.agent.get(`/api/v1/me/notifications?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((i: { title: { en: string } }) => i.title.en)).toEqual([`t${n - 2} (en)`]);
    expect(second.body.nextCursor).toBeNull();

    // Someone else's ids are silently ignored: nothing of theirs changes.
    const othersIds = (await other.agent.get('/api/v1/me/notifications')).body.items.map((i: { id: number }) => i.id);
    const marked = await post(staff, '/me/notifications/read', { ids: [first.body.items[0].id, ...othersIds] });
    expect(marked.body).toEqual({ marked: 1, unread: 2 });
    expect((await other.agent.get('/api/v1/me/notifications/unread-count')).body.unread).toBe(3);
    expect((await staff.agent.get('/api/v1/me/notifications?unread=true')).body.items).toHaveLength(2);
    expect((await post(staff, '/me/notifications/read-all')).body).toEqual({ marked: 2, unread: 0 });
    expect((await staff.agent.get('/api/v1/me/notifications/unread-count')).body.unread).toBe(0);
  });

  it('should refuse bad input with a bilingual 400 and change nothing', async () => {
    expect((await staff.agent.get('/api/v1/me/notifications?cursor=bm90LWEtbnVtYmVy')).status).toBe(400);
    for (const body of [
      {},
      { ids: [] },
      { ids: ['1'] },
      { ids: [-1] },
      { ids: [1.5] },
      { ids: Array.from({ length: 201 }, (_, i) => i + 1) },
    ]) {
      const response = await post(staff, '/me/notifications/read', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const bad = await staff.agent
      .put('/api/v1/me/notification-preferences')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({
        items: [
          { kind: 'vps.ready', email: false },
          { kind: 'tidak.ada', email: false },
        ],
      });
    expect(bad.status).toBe(400);
    const prefs = await staff.agent.get('/api/v1/me/notification-preferences');
    expect(prefs.body.items.every((p: { email: boolean }) => p.email)).toBe(true);
  });

  it('should keep e-mail off for a kind the user turned off, while still notifying in-app', async () => {
    const put = await staff.agent
      .put('/api/v1/me/notification-preferences')
      .set('X-CSRF-Token', staff.csrfToken)
      .send({ items: [{ kind: 'request.approved', email: false }] });
    expect(put.status).toBe(200);
    expect(put.body.items).toContainEqual({ kind: 'request.approved', email: false });
    expect(put.body.items).toContainEqual({ kind: 'vps.ready', email: true });
    const result = await tell([staffId, otherId], 'tanpa-email');
    expect(result).toMatchObject({ notified: 2, emailed: 1 });
    const mails = await h.database.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'email')
      .where('payload', '@>', JSON.stringify({ subject: text('tanpa-email') }))
      .execute();
    expect(mails.map((m) => (m.payload as { to: string[] }).to)).not.toContainEqual([staffEmail]);
    expect((await staff.agent.get('/api/v1/me/notifications/unread-count')).body.unread).toBe(1);
  });

  it('should push the unread count over the event stream when a notification arrives', async () => {
    const server: Server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cookie = await loginCookie(base, staffEmail);
    const client = await openSse(base, '/api/v1/me/notifications/events', cookie);
    try {
      expect(client.status).toBe(200);
      const [initial] = await client.waitFor((m) => m.event === 'unread');
      const before = JSON.parse(initial!.data) as { unread: number };
      await tell([staffId], 'langsung');
      const updates = await client.waitFor((m) => m.event === 'unread', 2, 10_000);
      expect(JSON.parse(updates[1]!.data)).toMatchObject({ unread: before.unread + 1 });
    } finally {
      client.close();
      server.close();
    }
  });

  describe('webhooks (admin)', () => {
    const create = (who: SignedIn, body: object) => post(who, '/webhooks', body);

    it('should let only admins manage webhooks', async () => {
      for (const who of [operator, staff]) {
        expect((await who.agent.get('/api/v1/webhooks')).status).toBe(403);
        expect((await create(who, { name: 'x', url: 'https://hook.example/x', kinds: ['vps.ready'] })).status).toBe(403);
      }
    });

    it('should validate endpoint URLs: http(s) only, no credentials', async () => {
      for (const url of [
        'ftp://gw.example/x',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'https://user:pw@gw.example/',
        'not a url',
        `https://x/${'a'.repeat(2000)}`,
      ]) {
        const response = await create(admin, { name: 'Gerbang', url, kinds: ['vps.ready'] });
        expect(response.status).toBe(400);
      }
      expect((await create(admin, { name: 'Gerbang', url: 'https://gw.example/', kinds: ['tidak.ada'] })).status).toBe(400);
      expect((await create(admin, { name: 'Gerbang', url: 'https://gw.example/', kinds: ['vps.ready', 'vps.ready'] })).status).toBe(400);
      // Each refusal is worded in the language asked for, one language per message.
      for (const language of ['id', 'en'] as const) {
        const withCredentials = await create(admin, { name: 'Gerbang', url: 'https://user:pw@gw.example/', kinds: ['vps.ready'] }).set(
          'Accept-Language',
          language,
        );
        expect(withCredentials.body.error.details).toEqual([
          expect.objectContaining({ path: 'body.url', message: CONTRACT_MESSAGES.webhookUrl[language] }),
        ]);
        const twice = await create(admin, { name: 'Gerbang', url: 'https://gw.example/', kinds: ['vps.ready', 'vps.ready'] }).set(
          'Accept-Language',
          language,
        );
        expect(twice.body.error.details).toEqual([
          expect.objectContaining({ path: 'body.kinds', message: CONTRACT_MESSAGES.duplicateKind[language] }),
        ]);
      }
      expect((await admin.agent.get('/api/v1/webhooks')).body.items).toEqual([]);
    });

    it('should create with a secret shown once, update, rotate, list deliveries and delete, auditing each', async () => {
      const created = await create(admin, { name: 'Gerbang Telegram', url: 'http://127.0.0.1:9/hook', kinds: ['request.approved'] });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_[\w-]{43}$/);
      const id = created.body.id as string;
      const listed = await admin.agent.get('/api/v1/webhooks');
      expect(listed.body.items).toEqual([
        expect.objectContaining({ id, kinds: ['request.approved'], deliveries: { pending: 0, delivered: 0, failed: 0 } }),
      ]);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

      await tell([staffId], 'ke-webhook');
      const log = await admin.agent.get(`/api/v1/webhooks/${id}/deliveries`);
      expect(log.body.items).toEqual([expect.objectContaining({ kind: 'request.approved', status: 'pending', attempts: 0 })]);

      const patched = await admin.agent
        .patch(`/api/v1/webhooks/${id}`)
        .set('X-CSRF-Token', admin.csrfToken)
        .send({ isActive: false, rotateSecret: true });
      expect(patched.body).toMatchObject({ isActive: false });
      expect(patched.body.secret).not.toBe(created.body.secret);
      expect((await admin.agent.get(`/api/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries`)).status).toBe(404);
      expect((await admin.agent.delete(`/api/v1/webhooks/${id}`).set('X-CSRF-Token', admin.csrfToken)).status).toBe(204);
      expect((await admin.agent.delete(`/api/v1/webhooks/${id}`).set('X-CSRF-Token', admin.csrfToken)).status).toBe(404);
      const audit = await h.database.db
        .selectFrom('auditLog')
        .select(['action', 'after'])
        .where('targetId', '=', id)
        .orderBy('id')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(['webhook.created', 'webhook.updated', 'webhook.deleted']);
      expect(JSON.stringify(audit)).not.toContain('whsec_');
    });
  });
});
