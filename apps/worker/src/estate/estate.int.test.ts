import { listEstateVms, setEstateDecisions, type Db } from '@betang/db';
import { sql } from 'kysely';
import {
  createTestDatabase,
  makeApplication,
  makeInstitution,
  makeIpPool,
  makeOperator,
  makeQueuedActionRun,
  type TestDatabase,
} from '@betang/testkit';
import { startProvisioningEnv, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { takeCensus } from './take-census';

jest.setTimeout(120_000);

describe('census and adopted VMs against the simulator’s hand-made estate', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db, { estate: { count: 12, strayVmids: [100_050] } });
    await makeOperator(db);
  });
  afterAll(async () => {
    await env?.close();
    await t?.drop();
  });

  const row = async (name: string) => (await listEstateVms(db)).find((v) => v.name === name)!;

  it('should record every VM without Betang’s marker, with agent addresses where an agent answers, else the config’s', async () => {
    expect(await takeCensus(env.deps)).toEqual({ vms: 12 });
    const web = await row('web-dinkes-lama');
    expect(web).toMatchObject({
      power: 'running',
      agent: true,
      tags: ['dinkes', 'produksi'],
      cores: 2,
      memoryMiB: 2048,
      inBetangRange: false,
    });
    expect(web.notes).toContain('Kontak: Pak Budi');
    expect(web.addresses).toEqual([
      { address: '10.120.0.31', source: 'agent' },
      { address: '10.120.0.31', source: 'config' },
    ]);
    // No agent: only what the config says.
    expect(await row('SIMPEG-server')).toMatchObject({ agent: false, addresses: [{ address: '10.120.0.40', source: 'config' }] });
    // DHCP: only the agent knows.
    expect((await row('test')).addresses).toEqual([{ address: expect.stringMatching(/^10\.20\.0\.\d+$/), source: 'agent' }]);
    // Stopped: no agent to ask.
    expect(await row('web-dinkes-lama-copy')).toMatchObject({ power: 'stopped', agent: false });
    expect((await listEstateVms(db)).find((v) => v.vmid === 100_050)?.inBetangRange).toBe(true);
  });

  it('should keep the decisions and write the same rows when taken again', async () => {
    const before = await row('proxy-lama');
    await setEstateDecisions(db, before.vmid, { outsidePool: true }, await makeOperator(db));
    await takeCensus(env.deps);
    const after = await row('proxy-lama');
    expect(after.decisions).toEqual({ outsidePool: true });
    expect({ ...after, observedAt: null, decidedAt: null }).toEqual({
      ...before,
      decisions: { outsidePool: true },
      observedAt: null,
      decidedAt: null,
    });
  });

  it('should mark an adopted VM as provisioning would, leave its guest alone, run day-2 actions on it, and release it as it was', async () => {
    const web = await row('web-dinkes-lama');
    const configBefore = { ...env.sim.state.vm(web.vmid)!.config };
    const inst = await makeInstitution(db, { code: 'DINKES' });
    const applicationId = await makeApplication(db, inst.id, 'SIMPUS Puskesmas');
    const operatorId = await makeOperator(db);
    // The rows the API's adoption writes (apps/api use-cases/estate/adopt-vm.ts).
    const request = await db
      .insertInto('vpsRequests')
      .values({
        institutionId: inst.id,
        applicationId,
        requestedBy: operatorId,
        hostname: 'web-dinkes-lama',
        templateId: null,
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 32,
        sshPublicKeys: [],
        purpose: 'adopted',
        contact: JSON.stringify({}),
        status: 'active',
        origin: 'adopted',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const vm = await db
      .insertInto('vms')
      .values({
        requestId: request.id,
        institutionId: inst.id,
        vmid: web.vmid,
        node: web.node,
        name: 'web-dinkes-lama',
        cores: 2,
        memoryMiB: 2048,
        diskGiB: 32,
        state: 'running',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('adoptions')
      .values({ vmId: vm.id, requestId: request.id, vmid: web.vmid, institutionId: inst.id, applicationId, adoptedBy: operatorId })
      .execute();
    // Adopted with two pooled addresses: both held, one of them primary.
    const poolId = await makeIpPool(db, { octet: 120, size: 200 });
    await db
      .insertInto('ipAllocations')
      .values([
        { poolId, address: '10.120.0.31', requestId: request.id, vmId: vm.id, isPrimary: true },
        { poolId, address: '10.120.0.131', requestId: request.id, vmId: vm.id, isPrimary: false },
      ])
      .execute();
    const held = () =>
      db
        .selectFrom('ipAllocations')
        .select([sql<string>`host(address)`.as('address'), 'isPrimary'])
        .where('requestId', '=', request.id)
        .where('releasedAt', 'is', null)
        .orderBy('isPrimary', 'desc')
        .execute();

    const adopt = await makeQueuedActionRun(db, request.id, 'adopt');
    expect((await runToEnd(env.deps, adopt)).status).toBe('succeeded');
    const marked = env.sim.state.vm(web.vmid)!;
    expect([...marked.tags].sort()).toEqual(['betang', 'betang-inst-dinkes', `betang-run-${adopt}`, 'dinkes', 'produksi'].sort());
    expect(marked.config.description).toBe(`${configBefore.description}\nbetang-run=${adopt}`);
    // Nothing else of the guest changed.
    const { tags: _t, description: _d, digest: _g, ...rest } = marked.config;
    const { tags: _t0, description: _d0, digest: _g0, ...restBefore } = configBefore;
    expect(rest).toEqual(restBefore);
    // Now Betang's: the census no longer lists it.
    await takeCensus(env.deps);
    expect((await listEstateVms(db)).some((v) => v.vmid === web.vmid)).toBe(false);

    const stop = await makeQueuedActionRun(db, request.id, 'stop');
    expect((await runToEnd(env.deps, stop)).status).toBe('succeeded');
    expect(env.sim.state.vm(web.vmid)?.status).toBe('stopped');
    const start = await makeQueuedActionRun(db, request.id, 'start');
    expect((await runToEnd(env.deps, start)).status).toBe('succeeded');
    expect(await held()).toEqual([
      { address: '10.120.0.31', isPrimary: true },
      { address: '10.120.0.131', isPrimary: false },
    ]);
    expect(env.sim.state.vm(web.vmid)?.status).toBe('running');
    expect((await db.selectFrom('vms').select('state').where('id', '=', vm.id).executeTakeFirstOrThrow()).state).toBe('running');

    const release = await makeQueuedActionRun(db, request.id, 'release', { reason: 'dikelola sendiri' });
    expect((await runToEnd(env.deps, release)).status).toBe('succeeded');
    const released = env.sim.state.vm(web.vmid)!;
    expect(released.tags).toEqual(['dinkes', 'produksi']);
    expect(released.config.description).toBe(configBefore.description);
    expect(released.status).toBe('running');
    expect(await db.selectFrom('vms').select('state').where('id', '=', vm.id).executeTakeFirstOrThrow()).toEqual({
      state: 'decommissioned',
    });
    expect(await db.selectFrom('vpsRequests').select('status').where('id', '=', request.id).executeTakeFirstOrThrow()).toEqual({
      status: 'decommissioned',
    });
    expect(
      (await db.selectFrom('adoptions').select('releasedAt').where('vmId', '=', vm.id).executeTakeFirstOrThrow()).releasedAt,
    ).not.toBeNull();
    // Every address it held is back in the pool.
    expect(await held()).toEqual([]);
    await takeCensus(env.deps);
    expect((await listEstateVms(db)).some((v) => v.vmid === web.vmid)).toBe(true);
  });
});
