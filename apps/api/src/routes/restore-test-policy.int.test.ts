import { CONTRACT_MESSAGES, DEFAULT_RESTORE_TEST_POLICY, Role, ZRestoreTestPolicy } from '@betang/core';
import { getSetting } from '@betang/db';
import { makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';

describe('PUT /settings/restore-test-policy: the monthly test-restore schedule, set by admins', () => {
  let h: ApiHarness;
  let admin: SignedIn;
  let operator: SignedIn;

  beforeAll(async () => {
    h = await startApiHarness();
    const db = h.database.db;
    admin = await signInAs(h.app, (await makeUser(db, { roles: [Role.Admin] })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  const put = (who: SignedIn, body: object) =>
    who.agent.put('/api/v1/settings/restore-test-policy').set('X-CSRF-Token', who.csrfToken).send(body);
  const stored = () => getSetting(h.database.db, 'restore_test_policy', ZRestoreTestPolicy, DEFAULT_RESTORE_TEST_POLICY);

  it('answers the default; operators may read but not change it; an admin’s change is stored and audited', async () => {
    expect((await operator.agent.get('/api/v1/settings/restore-test-policy')).body).toEqual(DEFAULT_RESTORE_TEST_POLICY);
    const changed = { ...DEFAULT_RESTORE_TEST_POLICY, spreadDays: 14, windowStart: '04:00', perNodeLimit: 2 };
    expect((await put(operator, changed)).status).toBe(403);
    expect(await stored()).toEqual(DEFAULT_RESTORE_TEST_POLICY);
    const saved = await put(admin, changed);
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual(changed);
    expect(await stored()).toEqual(changed);
    const audit = await h.database.db
      .selectFrom('auditLog')
      .select(['action', 'targetId', 'after'])
      .where('targetId', '=', 'restore_test_policy')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([{ action: 'settings.updated', targetId: 'restore_test_policy', after: changed }]);
  });

  it('refuses a bad policy in the caller’s language and stores nothing', async () => {
    const before = await stored();
    for (const language of ['id', 'en'] as const) {
      const reversed = await put(admin, { ...before, vmidMin: 990_500, vmidMax: 990_100 }).set('Accept-Language', language);
      expect(reversed.status).toBe(400);
      expect(reversed.body.error.details).toEqual([
        expect.objectContaining({ path: 'body.vmidMax', message: CONTRACT_MESSAGES.vmidRangeOrder[language] }),
      ]);
      const bridge = await put(admin, { ...before, bridge: 'vmbr0; reboot' }).set('Accept-Language', language);
      expect(bridge.status).toBe(400);
      expect(bridge.body.error.details).toEqual([
        expect.objectContaining({ path: 'body.bridge', message: CONTRACT_MESSAGES.bridgeName[language] }),
      ]);
      const empty = await put(admin, { ...before, windowEnd: before.windowStart }).set('Accept-Language', language);
      expect(empty.body.error.details).toEqual([
        expect.objectContaining({ path: 'body.windowEnd', message: CONTRACT_MESSAGES.emptyWindow[language] }),
      ]);
    }
    expect((await put(admin, { ...before, spreadDays: 29 })).status).toBe(400);
    expect((await put(admin, { ...before, unknown: true })).status).toBe(400);
    expect(await stored()).toEqual(before);
  });
});
