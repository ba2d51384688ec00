import { createPveClient, waitForTask, type PveClient } from '@betang/proxmox';
import {
  DEFAULT_TOKEN_ID,
  DEFAULT_TOKEN_SECRET,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '@betang/pve-simulator';
import { betangSimOptions, SIM_TARGETS } from '../testing/betang-access';
import { formatDoctorReport, runDoctor, type DoctorInput } from './doctor';
import { loadBetangRole } from './role-file';

const role = loadBetangRole();
const input = (over: Partial<DoctorInput> = {}): DoctorInput => ({
  role,
  targets: SIM_TARGETS,
  networks: [
    { bridge: 'vmbr0', vlanTag: null },
    { bridge: 'vmbr0', vlanTag: 20 },
  ],
  templates: [
    { vmid: 9000, name: 'debian-12-cloud', node: 'pve1', storage: 'ceph' },
    { vmid: 9001, name: 'ubuntu-2404-cloud', node: 'pve1', storage: 'ceph' },
  ],
  vmidRange: { min: 100_000, max: 100_999 },
  ...over,
});

async function withSim<T>(
  options: SimulatorOptions,
  fn: (sim: RunningSimulator, betang: PveClient, root: PveClient) => Promise<T>,
): Promise<T> {
  const sim = await startSimulator({ timeFactor: 0, authFailureDelayMs: 0, ...options });
  const betang = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5_000 });
  const root = createPveClient({
    baseUrl: sim.url,
    tokenId: DEFAULT_TOKEN_ID,
    tokenSecret: DEFAULT_TOKEN_SECRET,
    ca: sim.caPem,
    timeoutMs: 5_000,
  });
  try {
    return await fn(sim, betang, root);
  } finally {
    await betang.close();
    await root.close();
    await sim.close();
  }
}

async function task(pve: PveClient, method: 'POST' | 'PUT', path: string, params: Record<string, string | number>): Promise<void> {
  await waitForTask(pve, await pve.request<string>(method, path, params), { deadlineMs: 10_000 });
}

describe('runDoctor', () => {
  it.each(['pve8', 'pve9'] as const)('should pass clean against a simulator set up from betang-role.json (%s)', async (flavour) => {
    await withSim(betangSimOptions(role, flavour), async (_sim, betang) => {
      const report = await runDoctor(betang, input());
      expect(report.findings.filter((f) => f.level !== 'ok')).toEqual([]);
      expect(report.problems).toBe(0);
      expect(report.major).toBe(flavour === 'pve9' ? 9 : 8);
      expect(report.findings.map((f) => f.check)).toEqual(
        expect.arrayContaining(['version', 'permission', 'pool', 'storage', 'bridge', 'template', 'vmid-range', 'capacity']),
      );
      expect(formatDoctorReport(report)).toContain('Tidak ada masalah / no problems found.');
    });
  });

  it('should name each problem of a misconfigured cluster, with the command that fixes it', async () => {
    const options = betangSimOptions(role, 'pve9', { role: 'BetangVM', privilege: 'VM.Config.Disk' });
    await withSim({ ...options, pools: ['templates'] }, async (sim, betang, root) => {
      // 9005: a plain VM in the catalog (not a template); 9006: no cloud-init drive; 9007: agent off.
      for (const id of [9005, 9006, 9007])
        await task(root, 'POST', '/nodes/pve1/qemu/9000/clone', { newid: id, full: 1, pool: 'templates', name: `broken-${id}` });
      await root.request('PUT', '/nodes/pve1/qemu/9006/config', { delete: 'ide2' });
      await root.request('PUT', '/nodes/pve1/qemu/9007/config', { agent: '0' });
      expect(sim.state.vm(9006)).toBeDefined();
      const report = await runDoctor(
        betang,
        input({
          networks: [
            { bridge: 'vmbr0', vlanTag: null },
            { bridge: 'vmbr7', vlanTag: null },
          ],
          templates: [9000, 9005, 9006, 9007].map((vmid) => ({ vmid, name: `t${vmid}`, node: 'pve1', storage: 'ceph' })),
        }),
      );
      const problems = report.findings.filter((f) => f.level === 'error');
      const said = problems.map((f) => `${f.check} ${f.subject} ${f.message.en}`);
      expect(said).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^permission \/pool\/customers VM\.Config\.Disk The token lacks VM\.Config\.Disk/),
          expect.stringMatching(/^pool customers Pool customers does not exist/),
          expect.stringMatching(/^template 9005 t9005 VM 9005 is not a template/),
          expect.stringMatching(/^template 9006 t9006 Template 9006 has no cloud-init drive/),
          expect.stringMatching(/^template 9007 t9007 The QEMU guest agent is not enabled/),
          expect.stringMatching(/^bridge pve1 vmbr7 Bridge vmbr7 is missing/),
        ]),
      );
      // Nothing else is wrong: the rest of the cluster is fine.
      expect(problems.filter((f) => !/VM\.Config\.Disk|customers|900[567]|vmbr7/.test(`${f.subject} ${f.message.en}`))).toEqual([]);
      const fixes = problems.map((f) => f.fix ?? '');
      expect(fixes).toEqual(
        expect.arrayContaining([
          expect.stringContaining("pveum role modify BetangVM -privs 'VM.Allocate,VM.Audit,VM.Config.CPU,VM.Config.Memory,VM.Config.Disk,"),
          expect.stringContaining('pvesh create /pools --poolid customers'),
          'qm template 9005',
          'qm set 9006 --scsi1 ceph:cloudinit',
          'qm set 9007 --agent enabled=1',
        ]),
      );
      expect(report.problems).toBe(problems.length);
      const text = formatDoctorReport(report);
      expect(text).toMatch(/\[MASALAH\/PROBLEM\] template: VM 9005 bukan template/);
      expect(text).toContain('perbaiki / fix: qm template 9005');
    });
  });

  it('should accept a port-less test-restore bridge and refuse one connected to a network, with the fix', async () => {
    const bridgeFindings = async (options: SimulatorOptions) =>
      withSim(options, async (_sim, _betang, root) =>
        (await runDoctor(root, input({ isolatedBridge: 'vmbr9' }))).findings.filter(
          (f) => f.check === 'bridge' && f.subject.endsWith('vmbr9'),
        ),
      );
    const isolated = await bridgeFindings({});
    expect(isolated.map((f) => f.level)).toEqual(['ok', 'ok', 'ok']);
    const wired = await bridgeFindings({
      nodes: [{ name: 'pve1', cpus: 8, memoryMiB: 32768, bridges: ['vmbr0', 'vmbr9'], isolatedBridges: [] }],
    });
    expect(wired).toEqual([
      expect.objectContaining({
        level: 'error',
        subject: 'pve1 vmbr9',
        message: {
          id: 'Bridge uji pemulihan vmbr9 di node pve1 terhubung ke eno2: salinan uji akan menjangkau jaringan itu',
          en: 'Test restore bridge vmbr9 on node pve1 is connected to eno2: test copies would reach that network',
        },
        fix: '# di/on pve1: "bridge-ports none" pada/in iface vmbr9, /etc/network/interfaces; ifreload -a',
      }),
    ]);
  });

  it('should report a backup storage the token may not write to, with the setup command that names it', async () => {
    const options = betangSimOptions(role, 'pve9', { role: 'BetangBackup', privilege: 'Datastore.AllocateSpace' });
    await withSim(options, async (_sim, betang) => {
      const report = await runDoctor(betang, input());
      const problems = report.findings.filter((f) => f.level === 'error');
      expect(problems.map((f) => `${f.check} ${f.subject}`)).toEqual(['permission /storage/pbs Datastore.AllocateSpace']);
      expect(problems[0]?.fix).toContain('BACKUP_STORAGES=pbs sh infra/proxmox/create-betang-role.sh');
    });
  });

  it("should find the storages from the templates' disks when the catalog names none", async () => {
    await withSim(betangSimOptions(role, 'pve9', { role: 'BetangStorage', privilege: 'Datastore.AllocateSpace' }), async (_sim, betang) => {
      const report = await runDoctor(
        betang,
        input({ targets: { ...SIM_TARGETS, storages: [] }, templates: [{ vmid: 9000, name: 'debian-12-cloud' }] }),
      );
      expect(report.findings.filter((f) => f.level === 'error').map((f) => f.subject)).toEqual(['/storage/ceph Datastore.AllocateSpace']);
    });
  });

  it("should accept root's token (the demo) with one warning instead of a list of extra privileges", async () => {
    await withSim(betangSimOptions(role, 'pve9'), async (_sim, _betang, root) => {
      const report = await runDoctor(root, input({ role: { ...role, user: 'root@pam', token: 'betang' } }));
      expect(report.problems).toBe(0);
      expect(report.findings.filter((f) => f.level === 'warn').map((f) => f.message.en)).toEqual([
        "A root@pam token: full rights; production uses Betang's own token",
      ]);
    });
  });

  it('should warn when the token has more than it needs, and fail when Proxmox does not answer', async () => {
    await withSim(betangSimOptions(role, 'pve9'), async (sim, betang) => {
      sim.faults.grant({ path: '/pool/customers', roleid: 'PVEVMAdmin', users: [role.user], tokens: [`${role.user}!${role.token}`] });
      const report = await runDoctor(betang, input());
      expect(report.problems).toBe(0);
      expect(report.findings).toContainEqual(
        expect.objectContaining({
          check: 'permission',
          level: 'warn',
          subject: '/pool/customers',
          message: expect.objectContaining({ en: expect.stringMatching(/more than it needs.*VM\.Snapshot/) }),
        }),
      );
    });
    const down = createPveClient({
      baseUrl: 'https://127.0.0.1:1',
      tokenId: 'betang@pve!worker',
      tokenSecret: '0b7c3d9e-4f10-4c61-9a51-2f6c0b1e8d7a',
      fingerprint: Array(32).fill('AB').join(':'),
      timeoutMs: 2_000,
      getRetries: 0,
    });
    const report = await runDoctor(down, input());
    await down.close();
    expect(report.problems).toBe(1);
    expect(report.findings[0]).toMatchObject({ check: 'version', level: 'error' });
  });
});
