import { Role, type RequestStatus } from '@betang/core';
import { createTestDatabase, makeInstitution, makeUser, type TestDatabase } from '@betang/testkit';
import { sql } from 'kysely';
import { appendAudit } from './repositories/audit.repository';

/** The database itself guards the invariants, not only the code. */
describe('schema constraints', () => {
  let t: TestDatabase;
  let institutionId: string;
  let userId: string;
  let applicationId: string;
  let poolId: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    institutionId = (await makeInstitution(t.db)).id;
    userId = (await makeUser(t.db, { roles: [Role.InstitutionStaff], institutionId })).id;
    applicationId = (
      await t.db
        .insertInto('applications')
        .values({
          institutionId,
          name: 'SIPD',
          kind: 'umum',
          picName: 'Budi',
          picNip: '198501012010011001',
          picEmail: 'budi@kalteng.go.id',
          dataClassification: 'tinggi',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db
      .insertInto('catalogTemplates')
      .values({ id: 'debian-12', name: 'Debian 12', osFamily: 'debian', pveTemplateVmid: 9000 })
      .execute();
    poolId = (
      await t.db
        .insertInto('ipPools')
        .values({
          name: 'vlan-20',
          cidr: '10.20.0.0/24',
          gateway: '10.20.0.1',
          vlanTag: 20,
          bridge: 'vmbr0',
          rangeStart: '10.20.0.10',
          rangeEnd: '10.20.0.200',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(() => t.drop());

  const newRequest = (hostname: string, status: RequestStatus = 'submitted') =>
    t.db
      .insertInto('vpsRequests')
      .values({
        institutionId,
        applicationId,
        requestedBy: userId,
        hostname,
        templateId: 'debian-12',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        sshPublicKeys: ['ssh-ed25519 AAAA x'],
        purpose: 'uji',
        contact: JSON.stringify({}),
        status,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

  it('should refuse an unknown request status and an invalid hostname', async () => {
    // The CHECK constraint is the last line of defence below the types: force a value they forbid.
    await expect(newRequest('web-01', 'teleported' as RequestStatus)).rejects.toThrow(/vps_requests_status_check/);
    await expect(newRequest('Web_01')).rejects.toThrow(/vps_requests_hostname_check/);
  });

  it('should keep hostnames unique among live requests of an institution only', async () => {
    const first = await newRequest('sipd-web');
    await expect(newRequest('sipd-web')).rejects.toThrow(/vps_requests_live_hostname_uq/);
    await t.db.updateTable('vpsRequests').set({ status: 'rejected' }).where('id', '=', first.id).execute();
    await expect(newRequest('sipd-web')).resolves.toBeDefined();
  });

  it('should give one live VM per vmid', async () => {
    const a = await newRequest('vm-a');
    const b = await newRequest('vm-b');
    const vm = (requestId: string) => ({
      requestId,
      institutionId,
      vmid: 1001,
      name: 'x',
      cores: 1,
      memoryMiB: 1024,
      diskGiB: 10,
      state: 'running' as const,
    });
    const first = await t.db.insertInto('vms').values(vm(a.id)).returning('id').executeTakeFirstOrThrow();
    await expect(t.db.insertInto('vms').values(vm(b.id)).execute()).rejects.toThrow(/vms_live_vmid_uq/);
    await t.db.updateTable('vms').set({ state: 'decommissioned' }).where('id', '=', first.id).execute();
    await expect(t.db.insertInto('vms').values(vm(b.id)).execute()).resolves.toBeDefined();
  });

  it('should give one holder per address and let a released address be taken again', async () => {
    const a = await newRequest('ip-a');
    const b = await newRequest('ip-b');
    const held = await t.db
      .insertInto('ipAllocations')
      .values({ poolId, address: '10.20.0.10', requestId: a.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await expect(t.db.insertInto('ipAllocations').values({ poolId, address: '10.20.0.10', requestId: b.id }).execute()).rejects.toThrow(
      /ip_allocations_held_uq/,
    );
    await t.db.updateTable('ipAllocations').set({ releasedAt: new Date(), releaseReason: 'rejected' }).where('id', '=', held.id).execute();
    await expect(
      t.db.insertInto('ipAllocations').values({ poolId, address: '10.20.0.10', requestId: b.id }).execute(),
    ).resolves.toBeDefined();
  });

  it('should hold one primary address per request and let it hold extra ones', async () => {
    const a = await newRequest('ip-primary');
    await t.db.insertInto('ipAllocations').values({ poolId, address: '10.20.0.20', requestId: a.id }).execute();
    await expect(t.db.insertInto('ipAllocations').values({ poolId, address: '10.20.0.21', requestId: a.id }).execute()).rejects.toThrow(
      /ip_allocations_one_primary_per_request_uq/,
    );
    await expect(
      t.db.insertInto('ipAllocations').values({ poolId, address: '10.20.0.21', requestId: a.id, isPrimary: false }).execute(),
    ).resolves.toBeDefined();
    // An extra address is still one holder per address.
    const b = await newRequest('ip-extra');
    await expect(
      t.db.insertInto('ipAllocations').values({ poolId, address: '10.20.0.21', requestId: b.id, isPrimary: false }).execute(),
    ).rejects.toThrow(/ip_allocations_held_uq/);
  });

  it('should refuse a pool whose gateway or range lies outside its CIDR', async () => {
    await expect(
      t.db
        .insertInto('ipPools')
        .values({
          name: 'salah',
          cidr: '10.30.0.0/24',
          gateway: '10.31.0.1',
          bridge: 'vmbr0',
          rangeStart: '10.30.0.10',
          rangeEnd: '10.30.0.20',
        })
        .execute(),
    ).rejects.toThrow(/ip_pools_check/);
  });

  it('should make the audit log append-only', async () => {
    await appendAudit(t.db, {
      actorUserId: userId,
      actorLabel: 'uji',
      institutionId,
      action: 'test.appended',
      targetType: 'test',
      targetId: null,
    });
    await expect(sql`UPDATE audit_log SET action = 'test.changed'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    const rows = await t.db.selectFrom('auditLog').select('action').where('action', '=', 'test.appended').execute();
    expect(rows).toHaveLength(1);
  });

  it('should require a reason on a failed run and keep progress within 0..100', async () => {
    const r = await newRequest('run-a');
    await expect(
      t.db.insertInto('provisioningRuns').values({ requestId: r.id, kind: 'provision', status: 'failed' }).execute(),
    ).rejects.toThrow(/provisioning_runs_check/);
    await expect(
      t.db.insertInto('provisioningRuns').values({ requestId: r.id, kind: 'provision', status: 'running', progress: 101 }).execute(),
    ).rejects.toThrow(/progress_check/);
  });
});
