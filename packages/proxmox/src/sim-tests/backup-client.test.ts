import { backupClient, VzdumpNotOnNodeError } from '../backup/backup-client';
import { PveTaskFailedError } from '../tasks/pve-task-errors';
import { waitForTask } from '../tasks/wait-for-task';
import { vmClient } from '../vm/vm-client';
import type { SimHarness } from '../testing/sim-client';
import { bootSim } from '../testing/sim-client';

jest.setTimeout(60_000);

const TASK = { deadlineMs: 20_000 };

describe('backup client against the simulator', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await bootSim('pve9', 0.001);
    const upid = await vmClient(h.client, 'pve1', 9000).clone({ newid: 301, full: true, storage: 'ceph', name: 'db-adpim' });
    await waitForTask(h.client, upid, TASK);
  });
  afterAll(() => h.close());

  test('vzdump returns the archive it wrote; list, preview and prune agree; remove deletes it', async () => {
    const b = backupClient(h.client);
    const first = await b.vzdump('pve1', { vmid: 301, storage: 'pbs', notesTemplate: '{{guestname}}' }, TASK);
    expect(first.volid).toMatch(/^pbs:backup\/vm\/301\//);
    expect(first.size).toBe(3 * 1024 ** 3);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await b.vzdump('pve1', { vmid: 301, storage: 'pbs' }, TASK);
    const listed = await b.list('pve2', 'pbs', 301);
    expect(listed.map((v) => v.volid)).toEqual([first.volid, second.volid]);
    expect(listed[0]?.notes).toBe('db-adpim');
    const marks = await b.previewPrune('pve1', 'pbs', 301, { keepLast: 1 });
    expect(marks.map((m) => [m.volid, m.mark]).sort()).toEqual(
      [
        [first.volid, 'remove'],
        [second.volid, 'keep'],
      ].sort(),
    );
    await b.prune('pve1', 'pbs', 301, { keepLast: 1 }, TASK);
    await b.prune('pve1', 'pbs', 301, { keepLast: 1 }, TASK);
    expect((await b.list('pve1', 'pbs', 301)).map((v) => v.volid)).toEqual([second.volid]);
    await b.remove('pve1', 'pbs', second.volid, TASK);
    expect(await b.list('pve1', 'pbs', 301)).toEqual([]);
  });

  test('a guest on another node and a locked guest are told apart from the task’s bare "job errors"', async () => {
    const b = backupClient(h.client);
    await expect(b.vzdump('pve2', { vmid: 301, storage: 'pbs' }, TASK)).rejects.toBeInstanceOf(VzdumpNotOnNodeError);
    h.sim.faults.setConfigLock(301, 'migrate');
    const err: unknown = await b.vzdump('pve1', { vmid: 301, storage: 'local' }, TASK).catch((e: unknown) => e);
    h.sim.faults.setConfigLock(301, undefined);
    expect(err).toBeInstanceOf(PveTaskFailedError);
    expect((err as PveTaskFailedError).exitstatus).toBe('VM is locked (migrate)');
  });
});
