import { RunSecretBox } from '@betang/config';
import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD, TEST_SIGNING_MASTER_SECRET, type QueuedProvision } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { insertProvisionedVm } from '../testing/provisioned-vm';

const NEW = 'Kuda-Lari-Di-Pantai-7319';

describe('POST /vms/:id/console-password (rescue login: the admin user’s console password through the guest agent)', () => {
  let h: ApiHarness;
  let owner: QueuedProvision;
  let staff: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let auditor: SignedIn;
  let octet = 160;
  let vmids = 0;
  const db = () => h.database.db;
  const post = (who: SignedIn, vmId: string, body: object) =>
    who.agent.post(`/api/v1/vms/${vmId}/console-password`).set('X-CSRF-Token', who.csrfToken).send(body);
  const runsOf = (vmId: string) =>
    db()
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'params', 'status'])
      .where('vmId', '=', vmId)
      .where('kind', '=', 'console_password')
      .execute();
  const runningVm = async (state: 'running' | 'stopped' = 'running') => {
    const { provision, vmId } = await insertProvisionedVm(db(), { poolOctet: (octet += 1), vmid: 310_000 + (vmids += 1), state });
    owner = provision;
    staff = await signInAs(h.app, (await makeUser(db(), { roles: [Role.InstitutionStaff], institutionId: provision.institutionId })).email);
    return vmId;
  };

  beforeAll(async () => {
    h = await startApiHarness();
    operator = await signInAs(h.app, (await makeUser(db(), { roles: [Role.Operator] })).email);
    auditor = await signInAs(h.app, (await makeUser(db(), { roles: [Role.Auditor] })).email);
    const other = await makeInstitution(db());
    outsider = await signInAs(h.app, (await makeUser(db(), { roles: [Role.InstitutionHead], institutionId: other.id })).email);
  });
  afterAll(() => h.close());

  it('queues one console_password run carrying the password sealed (never in clear), audited without it', async () => {
    const vmId = await runningVm();
    const res = await post(staff, vmId, { consolePassword: NEW, password: TEST_PASSWORD });
    expect(res.status).toBe(202);
    const adminUser = owner.institutionCode.toLowerCase();
    expect(res.body).toEqual({ runId: expect.any(String), user: adminUser });
    const runs = await runsOf(vmId);
    expect(runs).toHaveLength(1);
    const params = runs[0]?.params as { adminUser: string; consolePassword: string };
    expect(params.adminUser).toBe(adminUser);
    expect(params.consolePassword).toMatch(/^enc:v1:/);
    expect(JSON.stringify(params)).not.toContain(NEW);
    // sealed for this VM: it opens for the worker with the same master secret, and only for this VM
    const box = new RunSecretBox(TEST_SIGNING_MASTER_SECRET);
    expect(box.open(`console-password/${vmId}`, params.consolePassword)).toBe(NEW);
    expect(() => box.open('console-password/00000000-0000-4000-8000-000000000001', params.consolePassword)).toThrow();
    const outbox = await db().selectFrom('outbox').select(['topic', 'payload']).where('dedupKey', '=', `run:${res.body.runId}`).execute();
    expect(outbox).toEqual([{ topic: 'job', payload: { name: 'vm.action', data: { runId: res.body.runId } } }]);
    const audit = await db().selectFrom('auditLog').select(['action', 'after']).where('targetId', '=', vmId).execute();
    expect(audit).toContainEqual({ action: 'vm.console_password_requested', after: { runId: res.body.runId, adminUser } });
    expect(JSON.stringify(audit)).not.toContain(NEW);
    expect(JSON.stringify(audit)).not.toContain('enc:v1:');
    // one live run per request
    expect((await post(staff, vmId, { consolePassword: NEW, password: TEST_PASSWORD })).status).toBe(409);
    expect(await runsOf(vmId)).toHaveLength(1);
  });

  it('refuses a short, a common and a control-character password with a bilingual reason, before re-authentication', async () => {
    const vmId = await runningVm();
    for (const consolePassword of ['pendek-1', 'password1234', 'Kuda-Lari\nDi-Pantai-7319']) {
      const res = await post(staff, vmId, { consolePassword, password: TEST_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details)).toMatch(/consolePassword/);
    }
    const common = await post(staff, vmId, { consolePassword: 'password1234', password: 'salah' });
    expect(common.status).toBe(400); // judged first: a weak choice costs no sign-in attempt
    expect(common.body.error.message).toMatch(/terlalu mudah ditebak/);
    expect(await runsOf(vmId)).toEqual([]);
  });

  it('asks for the account password again: a wrong one is 401, audited as failed, and queues nothing', async () => {
    const vmId = await runningVm();
    const res = await post(staff, vmId, { consolePassword: NEW, password: 'salah-sekali' });
    expect(res.status).toBe(401);
    expect(await runsOf(vmId)).toEqual([]);
    const failed = await db().selectFrom('auditLog').select(['action', 'after']).where('targetId', '=', vmId).execute();
    expect(failed.map((a) => a.action)).toContain('vm.console_password_failed');
    expect(JSON.stringify(failed)).not.toContain(NEW);
    expect((await post(staff, vmId, { consolePassword: NEW })).status).toBe(400);
  });

  it('answers 404 for another institution’s VM and a missing one, 403 for an auditor; an operator may do it', async () => {
    const vmId = await runningVm();
    const body = { consolePassword: NEW, password: TEST_PASSWORD };
    expect((await post(outsider, vmId, body)).status).toBe(404);
    expect((await post(staff, '00000000-0000-4000-8000-000000000999', body)).status).toBe(404);
    expect((await post(auditor, vmId, body)).status).toBe(403);
    expect(await runsOf(vmId)).toEqual([]);
    expect((await post(operator, vmId, body)).status).toBe(202);
    expect(await runsOf(vmId)).toHaveLength(1);
  });

  it('refuses a stopped VM (its guest agent is not running) with 409', async () => {
    const vmId = await runningVm('stopped');
    const res = await post(staff, vmId, { consolePassword: NEW, password: TEST_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBeTruthy();
    expect(await runsOf(vmId)).toEqual([]);
  });
});
