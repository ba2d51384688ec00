import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { rawRequest } from './testing/raw-client';
import { delay, eventually, simApi } from './testing/sim-test-kit';

// One test per "read-this-first" gotcha of reference/proxmox-api.md §0.
describe('§0 gotchas', () => {
  let sim: RunningSimulator;
  let legacy: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0 });
    legacy = await startSimulator({ timeFactor: 0, flavour: 'pve8' });
  });
  afterAll(async () => {
    await sim.close();
    await legacy.close();
  });

  test('1: errors are 500 with the message as reason phrase; message body only on pve9; not found is never 404', async () => {
    const r = await simApi(sim).get('/nodes/pve1/qemu/4242/config');
    expect(r.status).toBe(500);
    expect(r.reason).toBe("Configuration file 'nodes/pve1/qemu-server/4242.conf' does not exist");
    expect(r.body).toEqual({ data: null, message: "Configuration file 'nodes/pve1/qemu-server/4242.conf' does not exist\n" });
    expect(r.headers['content-type']).toBe('application/json;charset=UTF-8');
    const old = await simApi(legacy).get('/nodes/pve1/qemu/4242/config');
    expect(old.status).toBe(500);
    expect(old.reason).toBe(r.reason);
    expect(old.body).toEqual({ data: null });
    // a VM on another node is also "does not exist" on this node
    const other = await simApi(sim).get('/nodes/pve2/qemu/9000/config');
    expect(other.reason).toBe("Configuration file 'nodes/pve2/qemu-server/9000.conf' does not exist");
  });

  test('2: mutating calls return a UPID even when the work fails (start of a template, resize shrink)', async () => {
    const api = simApi(sim);
    const start = await api.post('/nodes/pve1/qemu/9000/status/start');
    expect(start.status).toBe(200);
    expect(await api.waitTask(String(start.body?.data))).toMatchObject({
      status: 'stopped',
      exitstatus: "you can't start a vm if it's a template",
    });
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 300, full: 1 })).exitstatus).toBe('OK');
    const shrink = await api.put('/nodes/pve1/qemu/300/resize', { disk: 'scsi0', size: '1G' });
    expect(shrink.status).toBe(200);
    expect((await api.waitTask(String(shrink.body?.data))).exitstatus).toBe('shrinking disks is not supported');
    const log = await api.get(`/nodes/pve1/tasks/${String(shrink.body?.data)}/log`);
    expect((log.body?.data as Array<{ t: string }>).at(-1)?.t).toBe('TASK ERROR: shrinking disks is not supported');
  });

  test('3: nextid reserves nothing; the loser of a same-id race fails the PVE way', async () => {
    const s = await startSimulator({ timeFactor: 0.1 });
    try {
      const api = simApi(s);
      const a = await api.get('/cluster/nextid');
      const b = await api.get('/cluster/nextid');
      expect(a.body?.data).toBe('100');
      expect(b.body?.data).toBe('100');
      // both POSTs arrive before either worker wrote 100.conf: the second waits 1 s for the flock
      const [c1, c2] = await Promise.all([
        api.post('/nodes/pve1/qemu/9000/clone', { newid: 100, full: 1 }),
        api.post('/nodes/pve1/qemu/9001/clone', { newid: 100, full: 1 }),
      ]);
      expect(c1.status).toBe(200);
      expect(c2.status).toBe(200);
      const results = [await api.waitTask(String(c1.body?.data)), await api.waitTask(String(c2.body?.data))]
        .map((t) => t.exitstatus)
        .sort();
      expect(results).toEqual(['OK', "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout"].sort());
      // once 100.conf exists, a third clone to 100 fails synchronously
      const c3 = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 100, full: 1 });
      expect(c3.status).toBe(500);
      expect(c3.reason).toBe('unable to create VM 100: config file already exists');
      expect((await api.get('/cluster/nextid', { vmid: 100 })).body?.errors).toEqual({ vmid: 'VM 100 already exists\n' });
    } finally {
      await s.close();
    }
  });

  test('4: sshkeys must be percent-encoded before form encoding; "+" or raw spaces are 400', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 301, full: 1 });
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbVRlFEo9xXFEUF8lUDt8JVInbqfMFfpjrDTfcR63EV ops@betang';
    const raw = await api.post('/nodes/pve1/qemu/301/config', { sshkeys: key });
    expect(raw.status).toBe(400);
    expect(raw.body?.errors).toEqual({ sshkeys: 'invalid format - invalid urlencoded string\n' });
    const plus = await api.post('/nodes/pve1/qemu/301/config', { sshkeys: key.replace(/ /g, '+') });
    expect(plus.status).toBe(400);
    const bogus = await api.post('/nodes/pve1/qemu/301/config', { sshkeys: encodeURIComponent('ssh-ed25519 notakey') });
    expect(bogus.status).toBe(500);
    expect(bogus.reason).toBe('SSH public key validation error');
    const ok = await api.post('/nodes/pve1/qemu/301/config', { sshkeys: encodeURIComponent(key) });
    expect((await api.waitTask(String(ok.body?.data))).exitstatus).toBe('OK');
    // on the wire the form body carries %2520 for a space
    const wire = await rawRequest(sim, 'POST', '/nodes/pve1/qemu/301/config', {
      rawBody: `sshkeys=${encodeURIComponent(encodeURIComponent(key))}`,
    });
    expect(wire.status).toBe(200);
    const cfg = await api.get('/nodes/pve1/qemu/301/config');
    expect((cfg.body?.data as Record<string, unknown>).sshkeys).toBe(encodeURIComponent(key));
  });

  test('5: form booleans must be 1/0; responses use 1/0 numbers, nextid a string, memory a string (pve9) or number (pve8)', async () => {
    const api = simApi(sim);
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 302, full: 1 });
    const bad = await rawRequest(sim, 'POST', '/nodes/pve1/qemu/302/config', { rawBody: 'onboot=true' });
    expect(bad.status).toBe(400);
    expect(bad.reason).toBe('Parameter verification failed.');
    expect(bad.body).toEqual({
      data: null,
      errors: { onboot: "type check ('boolean') failed - got 'true'\n" },
      message: 'Parameter verification failed.\n',
    });
    // JSON bodies may use true/false
    const json = await rawRequest(sim, 'POST', '/nodes/pve1/qemu/302/config', { json: { onboot: true, memory: 2048, cores: 2 } });
    expect((await api.waitTask(String(json.body?.data))).exitstatus).toBe('OK');
    const cfg = (await api.get('/nodes/pve1/qemu/302/config')).body?.data as Record<string, unknown>;
    expect(cfg.onboot).toBe(1);
    expect(cfg.cores).toBe(2);
    expect(cfg.memory).toBe('2048');
    expect(typeof (await api.get('/cluster/nextid')).body?.data).toBe('string');
    const l = simApi(legacy);
    await l.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 302, full: 1 });
    expect(((await l.get('/nodes/pve1/qemu/302/config')).body?.data as Record<string, unknown>).memory).toBe(1024);
  });

  test('6: cloning a template is linked unless full=1; storage without full=1 is refused', async () => {
    const api = simApi(sim);
    const bad = await api.post('/nodes/pve1/qemu/9000/clone', { newid: 303, storage: 'local-lvm' });
    expect(bad.status).toBe(500);
    expect(bad.reason).toBe("parameter 'storage' not allowed for linked clones");
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 303 })).exitstatus).toBe('OK');
    const cfg = (await api.get('/nodes/pve1/qemu/303/config')).body?.data as Record<string, string>;
    expect(cfg.scsi0).toBe('ceph:base-9000-disk-0/vm-303-disk-0,size=3G');
    expect(cfg.name).toBe('Copy-of-VM-debian-12-cloud');
    // the template cannot be destroyed while the linked clone uses its base volume
    const d = await api.task('DELETE', '/nodes/pve1/qemu/9000');
    expect(d.exitstatus).toBe("base volume 'ceph:base-9000-disk-0' is still in use by linked cloned");
  });

  test('7: status/current agent:1 only means configured; agent calls fail until the guest is up', async () => {
    // Agent boot of 100 s × 0.02 = 2 s: "not running" for the first 1.5 s, long enough to be seen on a busy machine.
    const s = await startSimulator({ timeFactor: 0.02, agentBootSeconds: 100 });
    try {
      const api = simApi(s);
      await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 400, full: 1 });
      expect(((await api.get('/nodes/pve1/qemu/400/status/current')).body?.data as Record<string, unknown>).agent).toBe(1);
      const stopped = await api.post('/nodes/pve1/qemu/400/agent/ping');
      expect(stopped.reason).toBe('VM 400 is not running');
      await api.task('POST', '/nodes/pve1/qemu/400/status/start');
      const early = await api.post('/nodes/pve1/qemu/400/agent/ping');
      expect(early.status).toBe(500);
      expect(early.reason).toBe('QEMU guest agent is not running');
      const up = await eventually(async () => {
        const r = await api.post('/nodes/pve1/qemu/400/agent/ping');
        return r.status === 200 ? r : undefined;
      });
      expect(up.body?.data).toEqual({ result: {} });
      await delay(5);
    } finally {
      await s.close();
    }
  });
});
