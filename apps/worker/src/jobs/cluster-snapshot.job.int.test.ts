import { listClusterNodes } from '@betang/db';
import { createTestDatabase, type TestDatabase } from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { clusterSnapshotJob } from './cluster-snapshot.job';

describe('cluster.snapshot job', () => {
  let t: TestDatabase;
  let env: ProvisioningEnv;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = await startProvisioningEnv(t.db);
  });
  afterAll(async () => {
    await env.close();
    await t.drop();
  });

  it('should record every simulated node with capacity, and replace the snapshot on the next round', async () => {
    const run = clusterSnapshotJob(env.deps);
    await run({}, undefined as never);
    const first = await listClusterNodes(t.db);
    expect(first.map((n) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(first[0]).toMatchObject({ online: true, statsVisible: true, cpuCount: 32 });
    expect(first[0]!.memTotalBytes).toBe(131072 * 2 ** 20);
    expect(first[0]!.storages.map((s) => s.storage)).toContain('ceph');
    await run({}, undefined as never);
    const second = await listClusterNodes(t.db);
    expect(second).toHaveLength(3);
    expect(second[0]!.observedAt.getTime()).toBeGreaterThanOrEqual(first[0]!.observedAt.getTime());
  });
});
