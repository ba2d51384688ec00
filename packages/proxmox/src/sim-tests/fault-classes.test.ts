import { classifyPveError } from '../errors/classify-pve-error';
import type { PveErrorClassification } from '../errors/pve-error-code';
import type { PveClient } from '../client/pve-client';
import type { PveParams } from '../client/encode-params';
import { PveTaskFailedError } from '../tasks/pve-task-errors';
import { waitForTask } from '../tasks/wait-for-task';
import type { SimHarness } from '../testing/sim-client';
import { bootSim } from '../testing/sim-client';

jest.setTimeout(60_000);

const TASK = { deadlineMs: 20_000, minPollMs: 20, maxPollMs: 100 };

/** A raw call under /nodes/pve1/qemu: these rows check how PVE's raw answers are classified. */
function qemu(c: PveClient, method: string, rest: string, params?: PveParams): Promise<unknown> {
  return c.request(method, `/nodes/pve1/qemu/${rest}`, params);
}

async function task(c: PveClient, upid: unknown): Promise<void> {
  await waitForTask(c, upid as string, TASK);
}

/** Clones the template to `vmid` (configured with a NIC and the agent), optionally started. */
async function makeVm(c: PveClient, vmid: number, start: boolean): Promise<void> {
  await task(c, await qemu(c, 'POST', '9000/clone', { newid: vmid, full: true, storage: 'ceph', name: `vps-${vmid}` }));
  await task(c, await qemu(c, 'POST', `${vmid}/config`, { agent: '1', net0: 'virtio,bridge=vmbr0', ipconfig0: 'ip=dhcp' }));
  if (start) await task(c, await qemu(c, 'POST', `${vmid}/status/start`, {}));
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

type Row = {
  name: string;
  run: (h: SimHarness, c: PveClient) => Promise<unknown>;
  expected: PveErrorClassification;
};

const RUNNING = 20001;
const STOPPED = 20002;

const ROWS: Row[] = [
  {
    name: 'network error (server gone) before anything was sent',
    run: async (h) => {
      const other = await bootSim(h.sim.flavour);
      const c = other.extra();
      await other.sim.close();
      return failure(c.request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 101 })).finally(() => c.close());
    },
    expected: { kind: 'transient', code: 'network' },
  },
  {
    name: '500 VM is locked (backup)',
    run: async (h, c) => {
      h.sim.faults.setConfigLock(STOPPED, 'backup');
      return failure(qemu(c, 'POST', `${STOPPED}/config`, { cores: 2 })).finally(() => h.sim.faults.setConfigLock(STOPPED, undefined));
    },
    expected: { kind: 'transient', code: 'vm-locked' },
  },
  {
    name: 'config flock timeout (sync or in-task)',
    run: async (h, c) => {
      h.sim.faults.holdVmLock(STOPPED);
      try {
        return await failure((async () => task(c, await qemu(c, 'POST', `${STOPPED}/config`, { cores: 2 })))());
      } finally {
        h.sim.faults.releaseVmLock(STOPPED);
      }
    },
    expected: { kind: 'transient', code: 'lock-timeout' },
  },
  {
    name: 'storage lock timeout during clone (in-task, clone failed: prefix)',
    run: async (h, c) => {
      h.sim.faults.storageLockTimeout('ceph', 1);
      return failure(task(c, await qemu(c, 'POST', '9000/clone', { newid: 20010, full: true, storage: 'ceph' })));
    },
    expected: { kind: 'transient', code: 'lock-timeout' },
  },
  {
    name: '595 node offline',
    run: async (h, c) => {
      h.sim.faults.setNodeOnline('pve2', false);
      return failure(c.request('GET', '/nodes/pve2/qemu')).finally(() => h.sim.faults.setNodeOnline('pve2', true));
    },
    expected: { kind: 'transient', code: 'proxy-unreachable' },
  },
  {
    name: '596 proxy timeout',
    run: async (h, c) => {
      const id = h.sim.faults.addRouteError({ method: 'GET', path: '/nodes/*/qemu/*/status/current', status: 596 });
      return failure(qemu(c, 'GET', `${RUNNING}/status/current`)).finally(() => h.sim.faults.removeRouteError(id));
    },
    expected: { kind: 'transient', code: 'proxy-timeout' },
  },
  {
    name: 'guest agent not running yet',
    run: async (h, c) => {
      h.sim.faults.agentNeverStarts(RUNNING);
      return failure(qemu(c, 'POST', `${RUNNING}/agent/ping`)).finally(() => h.sim.faults.agentNeverStarts(RUNNING, false));
    },
    expected: { kind: 'transient', code: 'agent-not-running' },
  },
  {
    name: 'no quorum',
    run: async (h, c) => {
      h.sim.faults.setQuorum(false);
      return failure(qemu(c, 'POST', `${STOPPED}/config`, { cores: 2 })).finally(() => h.sim.faults.setQuorum(true));
    },
    expected: { kind: 'transient', code: 'no-quorum' },
  },
  {
    name: 'got no worker upid',
    run: async (h, c) => {
      h.sim.faults.noWorkerUpid(1);
      return failure(qemu(c, 'POST', `${STOPPED}/status/start`, {}));
    },
    expected: { kind: 'transient', code: 'no-worker' },
  },
  {
    name: 'clone worker killed (unexpected status)',
    run: async (h, c) => {
      h.sim.faults.staleCloneLock(1);
      return failure(task(c, await qemu(c, 'POST', '9000/clone', { newid: 20011, full: true, storage: 'ceph' })));
    },
    expected: { kind: 'transient', code: 'task-killed' },
  },
  {
    name: 'stale clone lock then blocks start (VM is locked (clone))',
    run: async (_h, c) => failure(task(c, await qemu(c, 'POST', '20011/status/start', {}))),
    expected: { kind: 'transient', code: 'vm-locked' },
  },
  {
    name: '400 parameter verification (name with underscore)',
    run: async (_h, c) => failure(qemu(c, 'POST', `${STOPPED}/config`, { name: 'vps_1' })),
    expected: { kind: 'permanent', code: 'validation' },
  },
  {
    name: '401 revoked token',
    run: async (h, c) => {
      h.sim.faults.revokeToken(h.sim.tokenId);
      return failure(c.request('GET', '/version')).finally(() => h.sim.faults.revokeToken(h.sim.tokenId, false));
    },
    expected: { kind: 'permanent', code: 'unauthorized' },
  },
  {
    name: '403 missing privilege',
    run: async (h, c) => {
      h.sim.faults.denyPrivilege('VM.Allocate');
      return failure(qemu(c, 'POST', '9000/clone', { newid: 20012, full: true })).finally(() =>
        h.sim.faults.denyPrivilege('VM.Allocate', false),
      );
    },
    expected: { kind: 'permanent', code: 'forbidden' },
  },
  {
    name: 'does not exist (500, never 404)',
    run: async (_h, c) => failure(qemu(c, 'GET', '424242/config')),
    expected: { kind: 'permanent', code: 'not-found' },
  },
  {
    name: 'clone target already exists (sync)',
    run: async (_h, c) => failure(qemu(c, 'POST', '9000/clone', { newid: STOPPED, full: true })),
    expected: { kind: 'permanent', code: 'already-exists' },
  },
  {
    name: 'nextid?vmid= of a taken id (400)',
    run: async (_h, c) => failure(c.request('GET', '/cluster/nextid', { vmid: STOPPED })),
    expected: { kind: 'permanent', code: 'already-exists' },
  },
  {
    name: 'destroy of a running VM',
    run: async (_h, c) => failure(qemu(c, 'DELETE', `${RUNNING}`, { purge: true })),
    expected: { kind: 'permanent', code: 'vm-state' },
  },
  {
    name: 'resize shrink (in-task)',
    run: async (_h, c) => failure(task(c, await qemu(c, 'PUT', `${STOPPED}/resize`, { disk: 'scsi0', size: '1G' }))),
    expected: { kind: 'permanent', code: 'unsupported' },
  },
  {
    name: 'unknown route (501)',
    run: async (_h, c) => failure(c.request('GET', '/nodes/pve1/frobnicate')),
    expected: { kind: 'permanent', code: 'not-implemented' },
  },
];

describe.each(['pve9', 'pve8'] as const)('fault classes against the simulator (%s)', (flavour) => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await bootSim(flavour);
    await makeVm(h.client, RUNNING, true);
    await makeVm(h.client, STOPPED, false);
  });
  afterAll(() => h.close());

  it.each(ROWS.map((r) => [r.name, r] as const))('should classify: %s', async (_name, row) => {
    const err = await row.run(h, h.client);
    expect(classifyPveError(err)).toEqual(row.expected);
    if (err instanceof PveTaskFailedError) expect(err.logTail.length).toBeGreaterThan(0);
    if (typeof err === 'object' && err !== null && 'retryable' in err) {
      expect((err as { retryable: boolean }).retryable).toBe(row.expected.kind === 'transient');
    }
  });

  it('waitForTask should ride out injected 596s while polling', async () => {
    const upid = await qemu(h.client, 'POST', `${STOPPED}/config`, { cores: 3 });
    const id = h.sim.faults.addRouteError({ method: 'GET', path: '/nodes/*/tasks/*/status', status: 596, times: 3 });
    try {
      await expect(waitForTask(h.client, upid as string, TASK)).resolves.toMatchObject({ exitstatus: 'OK' });
    } finally {
      h.sim.faults.removeRouteError(id);
    }
  });
});
