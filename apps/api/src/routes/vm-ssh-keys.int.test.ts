import { Role } from '@betang/core';
import { makeInstitution, makeUser, testSshKey, TEST_PASSWORD, type QueuedProvision } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { insertProvisionedVm } from '../testing/provisioned-vm';

describe('POST /vms/:id/ssh-keys (lost key: replace the admin user’s keys through the guest agent)', () => {
  let h: ApiHarness;
  let owner: QueuedProvision;
  let staff: SignedIn;
  let operator: SignedIn;
  let outsider: SignedIn;
  let auditor: SignedIn;
  let octet = 120;
  let vmids = 0;
  const db = () => h.database.db;
  const post = (who: SignedIn, vmId: string, body: object) =>
    who.agent.post(`/api/v1/vms/${vmId}/ssh-keys`).set('X-CSRF-Token', who.csrfToken).send(body);
  const runsOf = (vmId: string) =>
    db()
      .selectFrom('provisioningRuns')
      .select(['id', 'kind', 'params', 'status'])
      .where('vmId', '=', vmId)
      .where('kind', '=', 'ssh_keys')
      .execute();
  /** A request left active with a running VM, as the worker leaves it; `staff` signs in for its institution. */
  const runningVm = async (state: 'running' | 'stopped' = 'running') => {
    const { provision, vmId } = await insertProvisionedVm(db(), { poolOctet: (octet += 1), vmid: 300_000 + (vmids += 1), state });
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

  it('queues one ssh_keys run with the validated keys for the institution’s admin user, audited', async () => {
    const vmId = await runningVm();
    const key = testSshKey('budi@laptop-baru');
    const res = await post(staff, vmId, { sshPublicKeys: [key], password: TEST_PASSWORD });
    expect(res.status).toBe(202);
    const runs = await runsOf(vmId);
    expect(runs).toEqual([
      {
        id: res.body.runId,
        kind: 'ssh_keys',
        status: 'queued',
        params: { sshPublicKeys: [key], adminUser: owner.institutionCode.toLowerCase() },
      },
    ]);
    const outbox = await db().selectFrom('outbox').select(['topic', 'payload']).where('dedupKey', '=', `run:${res.body.runId}`).execute();
    expect(outbox).toEqual([{ topic: 'job', payload: { name: 'vm.action', data: { runId: res.body.runId } } }]);
    const audit = await db().selectFrom('auditLog').select(['action', 'after']).where('targetId', '=', vmId).execute();
    expect(audit).toContainEqual({
      action: 'vm.ssh_keys_requested',
      after: { runId: res.body.runId, adminUser: owner.institutionCode.toLowerCase(), keys: 1 },
    });
    // A second request while the first is still queued is refused: one live run per request.
    const again = await post(staff, vmId, { sshPublicKeys: [key], password: TEST_PASSWORD });
    expect(again.status).toBe(409);
    expect(await runsOf(vmId)).toHaveLength(1);
  });

  it('refuses a key with options, a duplicate and an empty list with a reason in the caller’s language, and writes nothing', async () => {
    const vmId = await runningVm();
    const key = testSshKey('budi@laptop');
    for (const sshPublicKeys of [[`command="/bin/sh" ${key}`], [key, key.replace('budi@laptop', 'lagi')], []]) {
      const res = await post(staff, vmId, { sshPublicKeys, password: TEST_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details)).toMatch(/sshPublicKeys/);
    }
    // The reason names what is wrong, in the caller's language only.
    const withOptions = await post(staff, vmId, { sshPublicKeys: [`command="/bin/sh" ${key}`], password: TEST_PASSWORD });
    expect(withOptions.body.error.details[0].message).toMatch(/^Opsi di depan kunci .*tidak diizinkan/);
    const inEnglish = await staff.agent
      .post(`/api/v1/vms/${vmId}/ssh-keys`)
      .set('X-CSRF-Token', staff.csrfToken)
      .set('Accept-Language', 'en')
      .send({ sshPublicKeys: [`command="/bin/sh" ${key}`], password: TEST_PASSWORD });
    expect(inEnglish.body.error.details[0].message).toMatch(/option/i);
    expect(inEnglish.body.error.details[0].message).not.toMatch(/Opsi/);
    expect(await runsOf(vmId)).toEqual([]);
  });

  it('asks for the password again: a wrong one is 401, audited as failed, and queues nothing', async () => {
    const vmId = await runningVm();
    const res = await post(staff, vmId, { sshPublicKeys: [testSshKey()], password: 'salah-sekali' });
    expect(res.status).toBe(401);
    expect(await runsOf(vmId)).toEqual([]);
    const failed = await db().selectFrom('auditLog').select('action').where('targetId', '=', vmId).execute();
    expect(failed.map((a) => a.action)).toContain('vm.ssh_keys_failed');
    expect((await post(staff, vmId, { sshPublicKeys: [testSshKey()] })).status).toBe(400);
  });

  it('answers 404 for another institution’s VM and a missing one, 403 for an auditor; an operator may do it for them', async () => {
    const vmId = await runningVm();
    const body = { sshPublicKeys: [testSshKey()], password: TEST_PASSWORD };
    expect((await post(outsider, vmId, body)).status).toBe(404);
    expect((await post(staff, '00000000-0000-4000-8000-000000000999', body)).status).toBe(404);
    expect((await post(auditor, vmId, body)).status).toBe(403);
    expect(await runsOf(vmId)).toEqual([]);
    expect((await post(operator, vmId, body)).status).toBe(202);
    expect(await runsOf(vmId)).toHaveLength(1);
  });

  it('refuses a stopped VM (its guest agent is not running) with 409', async () => {
    const vmId = await runningVm('stopped');
    const res = await post(staff, vmId, { sshPublicKeys: [testSshKey()], password: TEST_PASSWORD });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBeTruthy();
    expect(await runsOf(vmId)).toEqual([]);
  });
});
