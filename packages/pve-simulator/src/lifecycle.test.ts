import type { Flavour } from './options';
import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { eventually, simApi } from './testing/sim-test-kit';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbVRlFEo9xXFEUF8lUDt8JVInbqfMFfpjrDTfcR63EV ops@betang';

describe.each<Flavour>(['pve8', 'pve9'])('provisioning path on %s', (flavour) => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ flavour, timeFactor: 0.01, agentBootSeconds: 5, seed: 42 });
  });
  afterAll(() => sim.close());

  test('clone → config → resize → start → agent → destroy', async () => {
    const api = simApi(sim);
    const version = (await api.get('/version')).body?.data as { version: string };
    expect(version.version.startsWith(flavour === 'pve9' ? '9.' : '8.')).toBe(true);

    const newid = Number((await api.get('/cluster/nextid')).body?.data);
    const clone = await api.post('/nodes/pve1/qemu/9001/clone', {
      newid,
      name: 'vps-kalteng-1',
      full: 1,
      storage: 'ceph',
      pool: 'customers',
      target: 'pve2',
    });
    expect(clone.status).toBe(200);
    const upid = String(clone.body?.data);
    // during the task the new id is not configurable: not yet written, flock held by the clone worker, or lock: clone
    const during = await api.post(`/nodes/pve1/qemu/${newid}/config`, { cores: 2 });
    expect(during.status).toBe(500);
    expect([
      `Configuration file 'nodes/pve1/qemu-server/${newid}.conf' does not exist`,
      `can't lock file '/var/lock/qemu-server/lock-${newid}.conf' - got timeout`,
      'VM is locked (clone)',
    ]).toContain(during.reason);
    const done = await api.waitTask(upid);
    expect(done).toMatchObject({ exitstatus: 'OK', type: 'qmclone', id: '9001' });
    expect(sim.state.vm(newid)).toMatchObject({ node: 'pve2', pool: 'customers', lock: undefined });

    const cfg0 = (await api.get(`/nodes/pve2/qemu/${newid}/config`)).body?.data as Record<string, unknown>;
    expect(cfg0.scsi0).toBe(`ceph:vm-${newid}-disk-0,size=4G`);
    const configure = await api.post(`/nodes/pve2/qemu/${newid}/config`, {
      cores: 2,
      memory: 4096,
      balloon: 2048,
      net0: 'virtio,bridge=vmbr0,tag=120,firewall=1',
      ipconfig0: 'ip=10.20.0.15/24,gw=10.20.0.1',
      nameserver: '10.20.0.2 1.1.1.1',
      searchdomain: 'kalteng.go.id',
      ciuser: 'betang',
      sshkeys: encodeURIComponent(KEY),
      tags: 'Pelanggan;dinas-kominfo,vps',
      description: 'VPS Dinas Kominfo\nnomor perjanjian 12/2026',
      agent: 1,
      onboot: 1,
      digest: String(cfg0.digest),
    });
    expect((await api.waitTask(String(configure.body?.data))).exitstatus).toBe('OK');
    const cfg = (await api.get(`/nodes/pve2/qemu/${newid}/config`)).body?.data as Record<string, unknown>;
    expect(cfg.net0).toMatch(/^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0,firewall=1,tag=120$/);
    expect(cfg.tags).toBe('dinas-kominfo;pelanggan;vps');
    expect(cfg.memory).toBe(flavour === 'pve9' ? '4096' : 4096);
    expect(cfg.onboot).toBe(1);
    // a stale digest is refused
    const stale = await api.post(`/nodes/pve2/qemu/${newid}/config`, { cores: 4, digest: String(cfg0.digest) });
    expect(stale.reason).toBe('checksum mismatch (file change by other user?)');

    expect((await api.task('PUT', `/nodes/pve2/qemu/${newid}/resize`, { disk: 'scsi0', size: '32G' })).exitstatus).toBe('OK');
    expect((await api.task('PUT', `/nodes/pve2/qemu/${newid}/resize`, { disk: 'scsi0', size: '+8G' })).exitstatus).toBe('OK');
    expect(sim.state.vm(newid)?.config.scsi0).toBe(`ceph:vm-${newid}-disk-0,size=40G`);

    expect((await api.task('POST', `/nodes/pve2/qemu/${newid}/status/start`)).exitstatus).toBe('OK');
    const st = (await api.get(`/nodes/pve2/qemu/${newid}/status/current`)).body?.data as Record<string, unknown>;
    expect(st).toMatchObject({ status: 'running', qmpstatus: 'running', agent: 1, name: 'vps-kalteng-1' });
    const again = await api.task('POST', `/nodes/pve2/qemu/${newid}/status/start`);
    expect(again.exitstatus).toBe(`VM ${newid} already running`);

    const mac = /=([0-9A-F:]{17})/.exec(String(cfg.net0))?.[1]?.toLowerCase();
    const ifaces = await eventually(async () => {
      const r = await api.get(`/nodes/pve2/qemu/${newid}/agent/network-get-interfaces`);
      const res = (
        r.body?.data as
          | { result?: Array<{ 'hardware-address': string; 'ip-addresses': Array<{ 'ip-address': string; 'ip-address-type': string }> }> }
          | undefined
      )?.result;
      const nic = res?.find((i) => i['hardware-address'] === mac);
      return nic?.['ip-addresses'].some((a) => a['ip-address-type'] === 'ipv4') ? nic : undefined;
    });
    expect(ifaces['ip-addresses'].map((a) => a['ip-address'])).toContain('10.20.0.15');

    // As on a real guest, the host keys appear only once cloud-init's ssh module has run, a
    // moment after the address is up: the key is read again until `cat` succeeds.
    const catHostKey = async () => {
      const exec = await api.post(`/nodes/pve2/qemu/${newid}/agent/exec`, { command: ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'] });
      const pid = (exec.body?.data as { pid: number }).pid;
      return eventually(async () => {
        const r = await api.get(`/nodes/pve2/qemu/${newid}/agent/exec-status`, { pid });
        const d = r.body?.data as { exited: boolean; exitcode?: number; 'out-data'?: string };
        return d.exited ? d : undefined;
      });
    };
    const out = await eventually(async () => {
      const d = await catHostKey();
      return d.exitcode === 0 ? d : undefined;
    });
    expect(out['out-data']).toBe(`${sim.state.hostKey(newid)}\n`);
    expect(out['out-data']).toMatch(/^ssh-ed25519 AAAA\S+ root@vps-kalteng-1\n$/);

    // file-write: PVE base64-encodes the content itself (encode defaults to 1), or takes base64 as sent with encode=0.
    const keysFile = '/home/debian/.ssh/authorized_keys';
    const plain = await api.post(`/nodes/pve2/qemu/${newid}/agent/file-write`, { file: keysFile, content: `${KEY}\n` });
    expect(plain.status).toBe(200);
    expect(plain.body?.data).toBeNull();
    expect(sim.state.guestFiles(newid).get(keysFile)?.toString('utf8')).toBe(`${KEY}\n`);
    const raw = await api.post(`/nodes/pve2/qemu/${newid}/agent/file-write`, {
      file: keysFile,
      content: Buffer.from('ssh-ed25519 AAAA other\n').toString('base64'),
      encode: 0,
    });
    expect(raw.status).toBe(200);
    expect(sim.state.guestFiles(newid).get(keysFile)?.toString('utf8')).toBe('ssh-ed25519 AAAA other\n');
    const bad = await api.post(`/nodes/pve2/qemu/${newid}/agent/file-write`, { file: keysFile, content: 'not*base64', encode: 0 });
    expect(bad.status).toBe(500);
    expect(bad.reason).toBe('Agent error: Base64 data contains invalid characters');

    const running = await api.del(`/nodes/pve2/qemu/${newid}`);
    expect(running.status).toBe(500);
    expect(running.reason).toBe(`VM ${newid} is running - destroy failed`);
    expect((await api.task('POST', `/nodes/pve2/qemu/${newid}/status/shutdown`)).exitstatus).toBe('OK');
    const del = await api.del(`/nodes/pve2/qemu/${newid}`, { purge: 1, 'destroy-unreferenced-disks': 1 });
    expect(sim.state.vm(newid)?.lock).toBe('destroyed');
    expect((await api.waitTask(String(del.body?.data))).exitstatus).toBe('OK');
    expect(sim.state.vm(newid)).toBeUndefined();
    expect((await api.get('/cluster/nextid')).body?.data).toBe(String(newid));
  });
});
