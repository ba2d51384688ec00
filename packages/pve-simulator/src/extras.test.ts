import { spawn } from 'node:child_process';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { rawRequest } from './testing/raw-client';
import { simApi } from './testing/sim-test-kit';

describe('node storage, VM firewall, pools', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0 });
  });
  afterAll(() => sim.close());

  test('node storage usage grows with a full clone; firewall rules insert at the top, disabled by default', async () => {
    const api = simApi(sim);
    const before = ((await api.get('/nodes/pve1/storage')).body?.data as Array<{ storage: string; used: number }>).find(
      (s) => s.storage === 'local-lvm',
    );
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 900, full: 1, storage: 'ceph', target: 'pve2' });
    await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 901, full: 1, storage: 'local-lvm' });
    const p1 = ((await api.get('/nodes/pve1/storage')).body?.data as Array<{ storage: string; used: number }>).find(
      (s) => s.storage === 'local-lvm',
    );
    expect(p1?.used).toBe((before?.used ?? 0) + 3 * 1024 ** 3);
    expect((await api.put('/nodes/pve2/qemu/900/firewall/options', { enable: 1, policy_in: 'DROP' })).status).toBe(200);
    await api.post('/nodes/pve2/qemu/900/firewall/rules', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22' });
    await api.post('/nodes/pve2/qemu/900/firewall/rules', { type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '443', enable: 1 });
    const rules = (await api.get('/nodes/pve2/qemu/900/firewall/rules')).body?.data as Array<Record<string, unknown>>;
    expect(rules.map((r) => [r.pos, r.dport, r.enable])).toEqual([
      [0, '443', 1],
      [1, '22', 0],
    ]);
    expect(((await api.get('/nodes/pve2/qemu/900/firewall/options')).body?.data as Record<string, unknown>).enable).toBe(1);
  });

  test('fingerprint: the served certificate, as /nodes ssl_fingerprint shows it', async () => {
    const served = await new Promise<string>((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port: sim.port, ca: sim.caPem, servername: 'localhost' }, () => {
        resolve(sock.getPeerCertificate().fingerprint256);
        sock.end();
      });
      sock.on('error', reject);
    });
    expect(served).toBe(sim.fingerprint);
    const nodes = (await simApi(sim).get('/nodes')).body?.data as Array<{
      node: string;
      ssl_fingerprint: string;
      status: string;
      maxcpu: number;
    }>;
    expect(nodes.map((n) => [n.node, n.status, n.ssl_fingerprint, n.maxcpu])).toEqual([
      ['pve1', 'online', sim.fingerprint, 32],
      ['pve2', 'online', sim.fingerprint, 32],
      ['pve3', 'online', sim.fingerprint, 16],
    ]);
  });

  test('pools: membership via PUT /pools needs allow-move', async () => {
    const api = simApi(sim);
    await api.post('/pools', { poolid: 'dinas', comment: 'Dinas Kominfo' });
    const moved = await api.put('/pools', { poolid: 'dinas', vms: '9000' });
    expect(moved.reason).toBe("VM 9000 belongs already to pool 'templates' and 'allow-move' is not set");
    expect((await api.put('/pools', { poolid: 'dinas', vms: '9000', 'allow-move': 1 })).status).toBe(200);
    const list = (await api.get('/pools', { poolid: 'dinas' })).body?.data as Array<{ members: Array<{ vmid: number }>; comment: string }>;
    expect(list[0]?.members.map((m) => m.vmid)).toEqual([9000]);
    expect((await api.del('/pools', { poolid: 'dinas' })).reason).toBe('pool is not empty');
  });
});

describe('CLI', () => {
  test('prints URL, token and fingerprint; answers curl-style requests; stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'cli.ts'), '--port', '0', '--time-factor', '0', '--flavour', 'pve8'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        // The banner's last line: everything before it has been printed too.
        const m = /(https:\/\/127\.0\.0\.1:\d+)\/api2\/json/.exec(out);
        if (m && out.includes('# admin API')) {
          clearInterval(t);
          resolve(m[1] ?? '');
        }
      }, 20);
      child.on('exit', (code) => reject(new Error(`cli exited ${code}: ${out}`)));
    });
    expect(out).toMatch(/token id\s+: root@pam!betang/);
    expect(out).toMatch(/fingerprint\s+: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(out).toContain('curl --cacert');
    const { readFileSync } = await import('node:fs');
    const caPem = readFileSync(/CA file\s+: (\S+)/.exec(out)?.[1] ?? '', 'utf8');
    const secret = /token secret\s+: (\S+)/.exec(out)?.[1] ?? '';
    const r = await rawRequest({ url, caPem, tokenId: 'root@pam!betang', tokenSecret: secret }, 'GET', '/version');
    expect(r.body?.data).toMatchObject({ version: '8.0.4' });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 20_000);
});
