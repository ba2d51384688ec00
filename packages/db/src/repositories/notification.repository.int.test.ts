import { Role } from '@betang/core';
import { createTestDatabase, makeInstitution, makeUser, type TestDatabase } from '@betang/testkit';
import {
  listNotifications,
  markNotificationsRead,
  notificationSummary,
  notify,
  pruneNotifications,
  setNotificationPreferences,
  userIdsWithRole,
} from './notification.repository';

const text = (s: string) => ({ id: `${s} (id)`, en: `${s} (en)` });

describe('notify', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  const emailsFor = (reasonPrefix: string) =>
    t.db
      .selectFrom('outbox')
      .select(['payload', 'dedupKey'])
      .where('topic', '=', 'email')
      .where('payload', '@>', JSON.stringify({ reason: reasonPrefix }))
      .execute();

  it('should store one in-app notification per active recipient, e-mail those who did not opt out, and do nothing more on a repeat', async () => {
    const institution = await makeInstitution(t.db);
    const a = await makeUser(t.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    const b = await makeUser(t.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    const gone = await makeUser(t.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    await t.db.updateTable('users').set({ isActive: false }).where('id', '=', gone.id).execute();
    await setNotificationPreferences(t.db, b.id, [{ kind: 'agreement.sign_turn', email: false }]);
    const draft = {
      kind: 'agreement.sign_turn' as const,
      reason: `agreement:${institution.id}:sign_turn`,
      recipients: [a.id, b.id, gone.id, a.id],
      institutionId: institution.id,
      title: text('Giliran tanda tangan'),
      body: text('Silakan tanda tangan'),
      link: '/agreements/x',
    };
    expect(await notify(t.db, draft)).toEqual({ notified: 2, emailed: 1, webhooks: 0 });
    expect(await notify(t.db, draft)).toEqual({ notified: 0, emailed: 0, webhooks: 0 });
    const mails = await emailsFor(draft.reason);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.payload).toMatchObject({ to: [a.email], link: '/agreements/x', subject: draft.title });
    expect((await listNotifications(t.db, b.id, { limit: 10 })).map((n) => n.kind)).toEqual(['agreement.sign_turn']);
    expect(await listNotifications(t.db, gone.id, { limit: 10 })).toEqual([]);
  });

  it('should refuse a draft with a link outside Betang before writing anything', async () => {
    const user = await makeUser(t.db, { roles: [Role.Operator] });
    await expect(
      notify(t.db, {
        kind: 'vps.ready',
        reason: 'x:evil',
        recipients: [user.id],
        institutionId: null,
        title: text('a'),
        body: text('b'),
        link: '//evil.example/',
      }),
    ).rejects.toThrow(/notification/);
    expect(await listNotifications(t.db, user.id, { limit: 10 })).toEqual([]);
  });

  it('should count unread, mark only the owner’s notifications read, and page newest first', async () => {
    const me = await makeUser(t.db, { roles: [Role.Operator] });
    const other = await makeUser(t.db, { roles: [Role.Operator] });
    for (let i = 0; i < 3; i++)
      await notify(t.db, {
        kind: 'request.submitted',
        reason: `req:${i}:${me.id}`,
        recipients: [me.id, other.id],
        institutionId: null,
        title: text(`t${i}`),
        body: text('b'),
        link: null,
      });
    expect(await notificationSummary(t.db, me.id)).toMatchObject({ unread: 3 });
    const page = await listNotifications(t.db, me.id, { limit: 2 });
    expect(page.map((n) => n.title.en)).toEqual(['t2 (en)', 't1 (en)', 't0 (en)']);
    const next = await listNotifications(t.db, me.id, { limit: 2, beforeId: page[1]!.id });
    expect(next.map((n) => n.title.en)).toEqual(['t0 (en)']);
    const othersFirst = (await listNotifications(t.db, other.id, { limit: 1 }))[0]!;
    expect(await markNotificationsRead(t.db, me.id, [page[0]!.id, othersFirst.id])).toBe(1);
    expect((await notificationSummary(t.db, other.id)).unread).toBe(3);
    expect((await notificationSummary(t.db, me.id)).unread).toBe(2);
    expect(await markNotificationsRead(t.db, me.id, 'all')).toBe(2);
    expect((await notificationSummary(t.db, me.id)).unread).toBe(0);
  });

  it('should queue webhook deliveries for the audience asked: operators’ details to global endpoints only', async () => {
    const institution = await makeInstitution(t.db);
    const endpoint = (institutionId: string | null) =>
      t.db
        .insertInto('webhookEndpoints')
        .values({
          name: 'uji',
          url: 'https://gw.example/hook',
          institutionId,
          kinds: ['vps.failed'],
          secret: 'whsec_rahasia-uji-0123456789',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const global = await endpoint(null);
    const own = await endpoint(institution.id);
    const other = await endpoint((await makeInstitution(t.db)).id);
    const base = {
      kind: 'vps.failed' as const,
      recipients: [],
      institutionId: institution.id,
      title: text('gagal'),
      body: text('b'),
      link: null,
    };
    expect((await notify(t.db, { ...base, reason: 'aud:all' })).webhooks).toBe(2);
    expect((await notify(t.db, { ...base, reason: 'aud:global', webhookAudience: 'global' })).webhooks).toBe(1);
    expect((await notify(t.db, { ...base, reason: 'aud:inst', webhookAudience: 'institution' })).webhooks).toBe(1);
    expect((await notify(t.db, { ...base, reason: 'aud:none', webhookAudience: 'none' })).webhooks).toBe(0);
    const rows = await t.db.selectFrom('webhookDeliveries').select(['endpointId', 'reason']).where('reason', 'like', 'aud:%').execute();
    const to = (reason: string) =>
      rows
        .filter((r) => r.reason === reason)
        .map((r) => r.endpointId)
        .sort();
    expect(to('aud:all')).toEqual([global.id, own.id].sort());
    expect(to('aud:global')).toEqual([global.id]);
    expect(to('aud:inst')).toEqual([own.id]);
    expect(rows.map((r) => r.endpointId)).not.toContain(other.id);
  });

  it('should prune only old read notifications and old finished deliveries', async () => {
    const user = await makeUser(t.db, { roles: [Role.Operator] });
    const make = (reason: string) =>
      notify(t.db, {
        kind: 'vps.ready',
        reason,
        recipients: [user.id],
        institutionId: null,
        title: text('t'),
        body: text('b'),
        link: null,
      });
    await make('prune:old-read');
    await make('prune:old-unread');
    await make('prune:new-read');
    const old = new Date(Date.now() - 400 * 86_400_000);
    await t.db.updateTable('notifications').set({ createdAt: old }).where('reason', 'in', ['prune:old-read', 'prune:old-unread']).execute();
    await t.db
      .updateTable('notifications')
      .set({ readAt: new Date() })
      .where('reason', 'in', ['prune:old-read', 'prune:new-read'])
      .execute();
    const cutoff = new Date(Date.now() - 180 * 86_400_000);
    expect((await pruneNotifications(t.db, cutoff, cutoff)).notifications).toBe(1);
    expect((await pruneNotifications(t.db, cutoff, cutoff)).notifications).toBe(0);
    const left = await t.db.selectFrom('notifications').select('reason').where('userId', '=', user.id).orderBy('reason').execute();
    expect(left.map((r) => r.reason)).toEqual(['prune:new-read', 'prune:old-unread']);
  });

  it('should find active holders of a role, optionally within an institution', async () => {
    const institution = await makeInstitution(t.db);
    const head = await makeUser(t.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    await makeUser(t.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    expect(await userIdsWithRole(t.db, Role.InstitutionHead, institution.id)).toEqual([head.id]);
  });
});
