import { sql } from 'kysely';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { listTemplateNodes, putTemplateNode } from './catalog.repository';
import { heldVmids } from './vmid.repository';

/** Retired vmids (PBS keys backups by vmid) and the per-node template map, as the database keeps them. */
describe('retired vmids and template copies per node', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());
  const range = { min: 100_000, max: 100_999 };

  it('should retire a vmid when its VM row ends, and hold it only for the reuse period', async () => {
    const p = await makeQueuedProvisionRun(t.db, { poolOctet: 91, enqueue: false });
    const vm = await t.db
      .insertInto('vms')
      .values({
        requestId: p.requestId,
        institutionId: p.institutionId,
        vmid: 100_123,
        node: 'pve2',
        name: 'x',
        cores: 1,
        memoryMiB: 1024,
        diskGiB: 10,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await heldVmids(t.db, range, 30)).toEqual([100_123]);
    await t.db.updateTable('vms').set({ state: 'decommissioned' }).where('id', '=', vm.id).execute();
    // a second update to the same final state retires nothing twice
    await t.db.updateTable('vms').set({ state: 'decommissioned' }).where('id', '=', vm.id).execute();
    expect(await t.db.selectFrom('retiredVmids').select(['vmid', 'node', 'vmId']).execute()).toEqual([
      { vmid: 100_123, node: 'pve2', vmId: vm.id },
    ]);
    expect(await heldVmids(t.db, range, 30)).toEqual([100_123]);
    expect(await heldVmids(t.db, range, 0)).toEqual([]);
    await sql`UPDATE retired_vmids SET retired_at = now() - interval '31 days'`.execute(t.db);
    expect(await heldVmids(t.db, range, 30)).toEqual([]);
    expect(await heldVmids(t.db, range, 60)).toEqual([100_123]);
  });

  it('should map a template to one copy per node and refuse hostile names and shared vmids', async () => {
    await makeQueuedProvisionRun(t.db, { poolOctet: 92, enqueue: false, templateId: 'debian-local' });
    await putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve2', pveTemplateVmid: 9100, storage: 'local-lvm' });
    await putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve2', pveTemplateVmid: 9102, storage: null });
    expect(await listTemplateNodes(t.db, 'debian-local')).toEqual([
      { templateId: 'debian-local', node: 'pve2', pveTemplateVmid: 9102, storage: null },
    ]);
    await expect(
      putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve2/../x', pveTemplateVmid: 9103, storage: null }),
    ).rejects.toThrow(/check constraint/);
    await expect(
      putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve3', pveTemplateVmid: 9104, storage: 'ceph;rm' }),
    ).rejects.toThrow(/check constraint/);
    await expect(putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve3', pveTemplateVmid: 9102, storage: null })).rejects.toThrow(
      /unique/,
    );
    await expect(
      putTemplateNode(t.db, { templateId: 'no-such-template', node: 'pve3', pveTemplateVmid: 9105, storage: null }),
    ).rejects.toThrow(/foreign key/);
  });
});
