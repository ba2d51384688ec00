import { putTemplateNode, type Db } from '@betang/db';
import { createTestDatabase, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { PlacementLedger } from './placement-ledger';

jest.setTimeout(120_000);

/** Provisions `n` requests of one catalog template at once; returns each VM's vmid and node. */
async function provisionBurst(
  db: Db,
  env: ProvisioningEnv,
  templateId: string,
  n: number,
  o: { templateVmid: number; templateStorage: string },
) {
  const queued = [];
  for (let i = 0; i < n; i++) {
    queued.push(
      await makeQueuedProvisionRun(db, {
        templateId,
        templateVmid: o.templateVmid,
        templateNode: 'pve1',
        templateStorage: o.templateStorage,
        poolOctet: 40 + i,
        memoryMiB: 1024,
      }),
    );
  }
  const runs = await Promise.all(queued.map((q) => runToEnd(env.deps, q.runId)));
  expect(runs.map((r) => r.status)).toEqual(queued.map(() => 'succeeded'));
  return Promise.all(
    queued.map((q) => db.selectFrom('vms').select(['vmid', 'node']).where('requestId', '=', q.requestId).executeTakeFirstOrThrow()),
  );
}

/** Samples, until `done` settles, the most clone tasks that ran at the same time on each node. */
function watchCloneConcurrency(env: ProvisioningEnv, done: Promise<unknown>): Promise<Map<string, number>> {
  const most = new Map<string, number>();
  let over = false;
  void done.finally(() => (over = true));
  return (async () => {
    while (!over) {
      const running = env.sim.state.tasks().filter((t) => t.type === 'qmclone' && t.status === 'running');
      for (const node of new Set(running.map((t) => t.node)))
        most.set(node, Math.max(most.get(node) ?? 0, running.filter((t) => t.node === node).length));
      await new Promise((r) => setTimeout(r, 20));
    }
    return most;
  })();
}

describe('placement on per-node local storage (a template copy on every node)', () => {
  let t: TestDatabase;
  let env: ProvisioningEnv;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = await startProvisioningEnv(t.db, { storageLayout: 'local' }, { PVE_CLONE_LIMIT_PER_NODE: 1 });
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it('should spread the VMs over every node, each cloned on its own node from the copy there', async () => {
    await new PlacementLedger(t.db).clear();
    await makeQueuedProvisionRun(t.db, {
      templateId: 'debian-local',
      templateVmid: 9000,
      templateNode: 'pve1',
      templateStorage: 'local-lvm',
      enqueue: false,
    });
    await putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve2', pveTemplateVmid: 9100, storage: 'local-lvm' });
    await putTemplateNode(t.db, { templateId: 'debian-local', node: 'pve3', pveTemplateVmid: 9200, storage: 'local-lvm' });
    env.sim.faults.slowTasks('qmclone', 20);
    const burst = provisionBurst(t.db, env, 'debian-local', 3, { templateVmid: 9000, templateStorage: 'local-lvm' });
    const concurrency = watchCloneConcurrency(env, burst);
    const vms = await burst;
    expect(vms.map((v) => v.node).sort()).toEqual(['pve1', 'pve2', 'pve3']);
    for (const vm of vms) expect(env.sim.state.vm(vm.vmid!)?.config.scsi0).toMatch(new RegExp(`^local-lvm:vm-${vm.vmid}-disk-0,`));
    // Each clone ran on its node, from the copy there (a clone task's id is its source vmid).
    const clones = env.sim.state.tasks().filter((task) => task.type === 'qmclone');
    expect(clones.map((task) => `${task.node}<-${task.id}:${task.exitstatus}`).sort()).toEqual([
      'pve1<-9000:OK',
      'pve2<-9100:OK',
      'pve3<-9200:OK',
    ]);
    // One clone slot per node, and each node copies its own: no node ever ran two.
    expect([...(await concurrency).values()].every((c) => c === 1)).toBe(true);
  });
});

describe('placement on shared storage (one template copy on pve1)', () => {
  let t: TestDatabase;
  let env: ProvisioningEnv;
  beforeAll(async () => {
    t = await createTestDatabase();
    env = await startProvisioningEnv(t.db, { storageLayout: 'shared' }, { PVE_CLONE_LIMIT_PER_NODE: 1 });
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  it("should spread the VMs but count clone slots on the template's node, where every copy runs", async () => {
    await new PlacementLedger(t.db).clear();
    env.sim.faults.slowTasks('qmclone', 20);
    const burst = provisionBurst(t.db, env, 'debian-shared', 3, { templateVmid: 9000, templateStorage: 'ceph' });
    const concurrency = watchCloneConcurrency(env, burst);
    const vms = await burst;
    expect(vms.map((v) => v.node).sort()).toEqual(['pve1', 'pve2', 'pve3']);
    const clones = env.sim.state.tasks().filter((task) => task.type === 'qmclone');
    expect(clones.map((task) => task.node)).toEqual(['pve1', 'pve1', 'pve1']);
    // PVE_CLONE_LIMIT_PER_NODE=1 on pve1: never two copies there at once, though the targets differ.
    expect((await concurrency).get('pve1')).toBe(1);
  });
});
