import { listOpenFindings, type Db } from '@betang/db';
import { createTestDatabase, makeOperator, makeQueuedActionRun, makeQueuedProvisionRun, type TestDatabase } from '@betang/testkit';
import { DEFAULT_TEMPLATES } from '@betang/pve-simulator';
import { reconcileCluster } from '../reconcile/reconcile-cluster';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';

jest.setTimeout(120_000);

// What keeps a customer's VM safe on a real cluster: protection, a shutdown that cannot hang,
// a resolver of our choosing, vmids not reused while PBS may hold the old VM's backups.
describe('VM safety against the simulator', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    // 9002: a template whose disk PVE reports as 3584M (3.5 GiB)
    const small = {
      vmid: 9002,
      name: 'debian-12-small',
      node: 'pve1',
      storage: 'ceph',
      diskGiB: 3.5,
      defaultUser: 'debian',
      pool: 'templates',
    };
    env = await startProvisioningEnv(
      db,
      { templates: [...DEFAULT_TEMPLATES, small] },
      { PVE_SHUTDOWN_SECONDS: 5, GUEST_NAMESERVER: '10.99.0.53' },
    );
    await makeOperator(db);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  const vmOf = (requestId: string) =>
    db.selectFrom('vms').select(['vmid', 'node', 'state']).where('requestId', '=', requestId).executeTakeFirstOrThrow();

  it('should protect the VM, shut it down within the timeout, decommission it and not hand its vmid out again', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const { vmid, node } = await vmOf(q.requestId);
    expect(env.sim.state.vm(vmid!)?.config.protection).toBe('1');
    // An operator's slip in the GUI (or API) is refused by PVE.
    await expect(env.pve.request('DELETE', `/nodes/${node}/qemu/${vmid}`)).rejects.toThrow(/protection mode enabled/);

    // A guest that ignores the power button: PVE stops it after PVE_SHUTDOWN_SECONDS.
    env.sim.faults.ignoreShutdown(vmid!);
    const shutdown = await makeQueuedActionRun(db, q.requestId, 'shutdown');
    expect((await runToEnd(env.deps, shutdown)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid!)?.status).toBe('stopped');
    const task = env.sim.state.tasks().find((x) => x.type === 'qmshutdown' && x.id === String(vmid));
    expect(task?.exitstatus).toBe('WARNINGS: 1');
    env.healthy();

    const decommission = await makeQueuedActionRun(db, q.requestId, 'decommission', { reason: 'uji' });
    expect((await runToEnd(env.deps, decommission)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid!)).toBeUndefined();
    const retired = await db.selectFrom('retiredVmids').select(['vmid', 'node']).where('vmid', '=', vmid!).execute();
    expect(retired).toEqual([{ vmid, node }]);

    // The next VM gets another id although the old one is the lowest free in the range.
    const next = await makeQueuedProvisionRun(db, { ports: [] });
    expect((await runToEnd(env.deps, next.runId)).status).toBe('succeeded');
    expect((await vmOf(next.requestId)).vmid).not.toBe(vmid);
  });

  it('should stop an HA-managed VM through the HA stack and decommission it with purge', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const { vmid } = await vmOf(q.requestId);
    await env.pve.request('POST', '/cluster/ha/resources', { sid: `vm:${vmid}`, state: 'started' });
    const stop = await makeQueuedActionRun(db, q.requestId, 'stop');
    expect((await runToEnd(env.deps, stop)).status).toBe('succeeded');
    // the stop task was only the request (hastop); the run waited until the LRM stopped the VM
    expect(env.sim.state.tasks().some((x) => x.type === 'hastop' && x.id === String(vmid))).toBe(true);
    expect(env.sim.state.vm(vmid!)?.status).toBe('stopped');
    const start = await makeQueuedActionRun(db, q.requestId, 'start');
    expect((await runToEnd(env.deps, start)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid!)?.status).toBe('running');

    const decommission = await makeQueuedActionRun(db, q.requestId, 'decommission', { reason: 'uji HA' });
    expect((await runToEnd(env.deps, decommission)).status).toBe('succeeded');
    expect(env.sim.state.vm(vmid!)).toBeUndefined();
    expect(await env.pve.request('GET', '/cluster/ha/resources')).toEqual([]);
  });

  it('should keep owning a VM whose Notes and tags an operator edited: reconcile says marker removed, decommission still works', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const row = await db
      .selectFrom('vms')
      .select(['id', 'vmid', 'node', 'smbiosUuid'])
      .where('requestId', '=', q.requestId)
      .executeTakeFirstOrThrow();
    expect(env.sim.state.vm(row.vmid!)?.config.smbios1).toBe(`uuid=${row.smbiosUuid}`);
    // An operator rewrites the Notes and replaces the tags in the PVE GUI.
    await env.pve.request('PUT', `/nodes/${row.node}/qemu/${row.vmid}/config`, { description: 'server aplikasi dinas', tags: 'prod;web' });
    const round = await reconcileCluster(env.deps);
    expect(round).toMatchObject({ leader: true });
    const open = (await listOpenFindings(db)).filter((f) => f.vmid === row.vmid);
    expect(open.map((f) => f.kind)).toEqual(['marker_removed']);

    const decommission = await makeQueuedActionRun(db, q.requestId, 'decommission', { reason: 'uji penanda' });
    expect((await runToEnd(env.deps, decommission)).status).toBe('succeeded');
    expect(env.sim.state.vm(row.vmid!)).toBeUndefined();
    const step = await db
      .selectFrom('runSteps')
      .select('result')
      .where('runId', '=', decommission)
      .where('key', '=', 'destroy')
      .executeTakeFirstOrThrow();
    expect(step.result).toMatchObject({ outcome: 'destroyed', provenBy: 'smbios-uuid' });
  });

  it('should set the configured resolver when the pool names none', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [], poolOctet: 77 });
    await db
      .updateTable('ipPools')
      .set({ dnsServers: '{}' as unknown as string[] })
      .where('id', '=', q.poolId)
      .execute();
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const { vmid } = await vmOf(q.requestId);
    expect(env.sim.state.vm(vmid!)?.config.nameserver).toBe('10.99.0.53');
    // what PVE writes onto the cloud-init drive: our resolver, never the PVE host's own
    const network = await env.pve.request<string>('GET', `/nodes/${(await vmOf(q.requestId)).node}/qemu/${vmid}/cloudinit/dump`, {
      type: 'network',
    });
    expect(network).toContain("- type: nameserver\n      address:\n      - '10.99.0.53'\n");
    expect(network).not.toContain((await env.pve.request<{ dns1: string }>('GET', '/nodes/pve1/dns')).dns1);
  });

  it('should grow a 3584M template disk to a 4 GiB request (sizes compared in bytes, not rounded GiB)', async () => {
    expect(env.sim.state.vm(9002)?.config.scsi0).toMatch(/,size=3584M$/);
    const q = await makeQueuedProvisionRun(db, { ports: [], templateId: 'debian-small', templateVmid: 9002, diskGiB: 4 });
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const { vmid } = await vmOf(q.requestId);
    expect(env.sim.state.vm(vmid!)?.config.scsi0).toMatch(/,size=4G$/);
    const step = await db
      .selectFrom('runSteps')
      .select(['status', 'detail'])
      .where('runId', '=', q.runId)
      .where('key', '=', 'resize')
      .executeTakeFirstOrThrow();
    expect(step).toEqual({ status: 'done', detail: 'scsi0 3.50 GiB → 4 GiB' });
  });

  it('should clear protection when a failed provisioning is cleaned up', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [] });
    env.sim.faults.agentNeverStarts('*');
    const before = await db.selectFrom('retiredVmids').select('vmid').execute();
    const run = await runToEnd({ ...env.deps, config: { ...env.deps.config, GUEST_AGENT_WAIT_SECONDS: 1 } }, q.runId, { attempts: 1 });
    env.healthy();
    expect(run.status).toBe('failed');
    const vm = await vmOf(q.requestId);
    expect(vm.state).toBe('failed');
    // configure set protection before the agent was awaited; cleanup cleared it and destroyed the VM
    expect(
      env.sim.state
        .tasks()
        .some((x) => x.type === 'qmconfig' && x.id === String(vm.vmid) && x.log.some((l) => l.includes('-protection 1'))),
    ).toBe(true);
    const cleared = env.sim.state.tasks().find((x) => x.type === 'qmdestroy' && x.id === String(vm.vmid));
    expect(cleared?.exitstatus).toBe('OK');
    expect(env.sim.state.vm(vm.vmid!)).toBeUndefined();
    const after = await db.selectFrom('retiredVmids').select('vmid').execute();
    expect(after.length).toBe(before.length + 1);
    // a stray PVE call for the same id finds nothing
    await expect(env.pve.request('GET', `/nodes/${vm.node}/qemu/${vm.vmid}/config`)).rejects.toThrow(/does not exist/);
  });
});
