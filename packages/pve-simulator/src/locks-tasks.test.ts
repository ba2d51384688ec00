import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { parseUpid } from './tasks/upid';
import { simApi } from './testing/sim-test-kit';

describe('tasks, locks and sync-vs-in-task errors', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0, seed: 7 });
  });
  afterAll(() => sim.close());

  test('UPIDs carry node, upper-case hex pid/pstart/starttime, type, source id and token user', async () => {
    const api = simApi(sim);
    const before = Math.floor(Date.now() / 1000);
    const r = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 500, full: 1 });
    const upid = String(r.body?.data);
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmclone:9000:root@pam!betang:$/);
    const f = parseUpid(upid);
    expect(f?.starttime).toBeGreaterThanOrEqual(before);
    const st = await api.waitTask(upid);
    expect(st).toMatchObject({
      upid,
      node: 'pve1',
      pid: f?.pid,
      pstart: f?.pstart,
      starttime: f?.starttime,
      type: 'qmclone',
      id: '9000',
      user: 'root@pam',
      tokenid: 'betang',
    });
    // wrong node → 400 no such task; garbage → unable to parse
    const wrong = await api.get(`/nodes/pve2/tasks/${upid}/status`);
    expect(wrong.status).toBe(400);
    expect(wrong.body?.errors).toEqual({ upid: 'no such task\n' });
    expect((await api.get('/nodes/pve1/tasks/UPID:nope/status')).body?.errors?.upid).toMatch(/^unable to parse worker upid/);
    // log paging and total
    const log = await api.get(`/nodes/pve1/tasks/${upid}/log`, { start: 1, limit: 2 });
    expect(log.body?.total).toBe(7);
    expect(log.body?.data).toEqual([
      { n: 2, t: 'create full clone of drive scsi0 (ceph:base-9000-disk-0)' },
      { n: 3, t: 'transferred 0.8 GiB of 3.0 GiB (25.00%)' },
    ]);
    // list with filters
    const list = await api.get('/nodes/pve1/tasks', { vmid: 9000, typefilter: 'qmclone' });
    expect((list.body?.data as Array<{ upid: string; status: string }>).find((t) => t.upid === upid)?.status).toBe('OK');
  });

  test('WARNINGS: n is a successful exit status', async () => {
    const api = simApi(sim);
    const r = await api.post('/nodes/pve1/qemu/500/config', { delete: 'serial1', cores: 2, cipassword: 'rahasia' });
    const upid = String(r.body?.data);
    expect((await api.waitTask(upid)).exitstatus).toBe('WARNINGS: 1');
    const log = (await api.get(`/nodes/pve1/tasks/${upid}/log`)).body?.data as Array<{ t: string }>;
    expect(log.map((l) => l.t)).toEqual([
      'update VM 500: -cipassword <hidden> -cores 2 -delete serial1',
      "WARN: cannot delete 'serial1' - not set in current configuration!",
      'TASK WARNINGS: 1',
    ]);
    const cfg = (await api.get('/nodes/pve1/qemu/500/config')).body?.data as Record<string, unknown>;
    expect(cfg.cipassword).toBe('**********');
  });

  test('sync validation (400 errors map) vs in-task failures (exitstatus text)', async () => {
    const api = simApi(sim);
    const bad = await api.post('/nodes/pve1/qemu/500/config', {
      cores: 'abc',
      name: 'vps_500',
      bogus: 1,
      net0: 'virtio,bridge=vmbr0,tag=5000',
      ipconfig0: 'gw=10.0.0.1',
      nameserver: 'dns.google',
    });
    expect(bad.status).toBe(400);
    expect(bad.body?.errors).toEqual({
      cores: "type check ('integer') failed - got 'abc'\n",
      name: 'invalid format - value does not look like a valid DNS name\n',
      bogus: 'property is not defined in schema and the schema does not allow additional properties\n',
      net0: 'invalid format - format error\ntag: value must have a minimum value of 1 and maximum of 4094\n',
      ipconfig0: 'invalid format - gateway specified without specifying an IP address\n',
      nameserver: 'invalid format - value does not look like a valid IP address\n',
    });
    expect((await api.post('/nodes/pve1/qemu/500/config')).reason).toBe('no options specified');
    expect((await api.post('/nodes/pve1/qemu/500/config', { memory: 1024, balloon: 2048 })).reason).toBe(
      'balloon value too large (must be smaller than assigned memory)',
    );
    expect((await api.post('/nodes/pve1/qemu/500/clone', { newid: 9000 })).reason).toBe(
      'unable to create VM 9000: config file already exists',
    );
    expect((await api.get('/nodes/pve9/qemu/500/config')).reason).toBe("no such cluster node 'pve9'");
    // root@pam's token is still a token: root-only options are refused
    expect((await api.post('/nodes/pve1/qemu/500/status/start', { skiplock: 1 })).body?.errors).toEqual({
      skiplock: 'Only root may use this option.\n',
    });
    expect((await api.task('PUT', '/nodes/pve1/qemu/500/resize', { disk: 'scsi1', size: '+1G' })).exitstatus).toBe(
      "disk 'scsi1' does not exist",
    );
    expect((await api.task('PUT', '/nodes/pve1/qemu/500/resize', { disk: 'ide2', size: '+1G' })).exitstatus).toBe(
      "you can't resize a cdrom",
    );
    const unimpl = await api.get('/nodes/pve1/qemu/500/rrddata');
    expect(unimpl.status).toBe(501);
    expect(unimpl.reason).toBe("Method 'GET /nodes/pve1/qemu/500/rrddata' not implemented");
  });

  test('config locks: clone source, config, start, resize, destroy all say VM is locked (x)', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 501, full: 1 });
    sim.faults.setConfigLock(501, 'backup');
    expect((await api.post('/nodes/pve1/qemu/501/clone', { newid: 502 })).reason).toBe('VM is locked (backup)');
    expect((await api.post('/nodes/pve1/qemu/501/config', { cores: 2 })).reason).toBe('VM is locked (backup)');
    expect((await api.put('/nodes/pve1/qemu/501/config', { cores: 2 })).reason).toBe('VM is locked (backup)');
    expect((await api.task('POST', '/nodes/pve1/qemu/501/status/start')).exitstatus).toBe('VM is locked (backup)');
    expect((await api.task('PUT', '/nodes/pve1/qemu/501/resize', { disk: 'scsi0', size: '+1G' })).exitstatus).toBe('VM is locked (backup)');
    expect((await api.task('DELETE', '/nodes/pve1/qemu/501')).exitstatus).toBe('VM is locked (backup)');
    // a token cannot clear it: skiplock/lock are root@pam-only
    const clear = await api.put('/nodes/pve1/qemu/501/config', { delete: 'lock', skiplock: 1 });
    expect(clear.status).toBe(400);
    expect(clear.body?.errors).toEqual({ skiplock: 'Only root may use this option.\n' });
    sim.faults.setConfigLock(501, undefined);
    expect((await api.task('POST', '/nodes/pve1/qemu/501/status/start')).exitstatus).toBe('OK');
  });

  test('clone rules: fresh MAC and smbios uuid; linked from non-template, non-shared target storage, missing pool', async () => {
    const api = simApi(sim);
    const src = (await api.get('/nodes/pve1/qemu/9000/config')).body?.data as Record<string, string>;
    const copy = (await api.get('/nodes/pve1/qemu/500/config')).body?.data as Record<string, string>;
    expect(copy.net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0$/);
    expect(copy.net0).not.toBe(src.net0);
    expect(copy.smbios1).not.toBe(src.smbios1);
    expect(copy.template).toBeUndefined();
    expect((await api.post('/nodes/pve1/qemu/500/clone', { newid: 503, full: 0 })).reason).toBe(
      "Linked clone feature is not supported for 'ceph:vm-500-disk-0' (scsi0)",
    );
    expect((await api.post('/nodes/pve1/qemu/9000/clone', { newid: 503, full: 1, storage: 'local-lvm', target: 'pve2' })).reason).toBe(
      "can't clone to non-shared storage 'local-lvm'",
    );
    const pool = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 503, pool: 'ghost' });
    expect(pool.status).toBe(403);
    expect(pool.reason).toBe("Permission check failed (pool 'ghost' does not exist)");
  });

  test('power state machine and destroy rules', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 504, full: 1 });
    expect((await api.post('/nodes/pve1/qemu/504/status/reboot')).reason).toBe('VM 504 not running');
    expect((await api.task('POST', '/nodes/pve1/qemu/504/status/stop')).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/504/status/shutdown')).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/504/status/start')).exitstatus).toBe('OK');
    // running VM: non-hotpluggable change goes to pending until reboot
    expect((await api.task('POST', '/nodes/pve1/qemu/504/config', { cores: 4, name: 'renamed' })).exitstatus).toBe('OK');
    const pending = (await api.get('/nodes/pve1/qemu/504/pending')).body?.data as Array<{
      key: string;
      value?: unknown;
      pending?: unknown;
    }>;
    expect(pending.find((p) => p.key === 'cores')).toEqual({ key: 'cores', value: 1, pending: 4 });
    expect(((await api.get('/nodes/pve1/qemu/504/config', { current: 1 })).body?.data as Record<string, unknown>).cores).toBe(1);
    expect((await api.task('POST', '/nodes/pve1/qemu/504/status/reboot')).exitstatus).toBe('OK');
    expect(sim.state.vm(504)?.config.cores).toBe('4');
    expect((await api.task('POST', '/nodes/pve1/qemu/504/status/stop')).exitstatus).toBe('OK');
    await api.task('POST', '/nodes/pve1/qemu/504/config', { protection: 1 });
    expect((await api.del('/nodes/pve1/qemu/504')).reason).toBe("can't remove VM 504 - protection mode enabled");
    await api.task('POST', '/nodes/pve1/qemu/504/config', { delete: 'protection' });
    expect((await api.task('DELETE', '/nodes/pve1/qemu/504', { purge: 1 })).exitstatus).toBe('OK');
    // template protection
    await api.task('POST', '/nodes/pve1/qemu/9001/config', { protection: 1 });
    expect((await api.del('/nodes/pve1/qemu/9001')).reason).toBe("can't remove VM 9001 - protection mode enabled");
    expect((await api.get('/nodes/pve1/qemu/504/status/current')).reason).toBe(
      "Configuration file 'nodes/pve1/qemu-server/504.conf' does not exist",
    );
  });

  test('/cluster/resources lags behind status/current for new VMs', async () => {
    const s = await startSimulator({ timeFactor: 0.05, resourcesLagSeconds: 10 });
    try {
      const api = simApi(s);
      await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 600 });
      const res = (await api.get('/cluster/resources', { type: 'vm' })).body?.data as Array<Record<string, unknown>>;
      const e = res.find((x) => x.vmid === 600);
      expect(e).toMatchObject({ id: 'qemu/600', status: 'unknown', node: 'pve1' });
      expect(e?.name).toBeUndefined();
      expect(((await api.get('/nodes/pve1/qemu/600/status/current')).body?.data as Record<string, unknown>).status).toBe('stopped');
      const nodes = (await api.get('/cluster/resources', { type: 'storage' })).body?.data as Array<Record<string, unknown>>;
      expect(nodes.filter((x) => x.storage === 'ceph').length).toBe(3);
    } finally {
      await s.close();
    }
  });
});
