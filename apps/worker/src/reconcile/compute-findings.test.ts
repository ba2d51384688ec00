import type { RunRow, VmRow } from '@betang/db';
import { computeFindings } from './compute-findings';

const vm = (o: Partial<VmRow>): VmRow => ({
  id: 'vm-1',
  requestId: 'r',
  institutionId: 'inst-1',
  vmid: 100001,
  node: 'pve1',
  name: 'web',
  macAddress: null,
  hostKey: null,
  smbiosUuid: null,
  cores: 2,
  memoryMiB: 2048,
  diskGiB: 20,
  state: 'running',
  createdAt: new Date(),
  updatedAt: new Date(),
  ...o,
});
const cvm = (vmid: number, o: Record<string, unknown> = {}) => ({
  id: `qemu/${vmid}`,
  type: 'qemu' as const,
  vmid,
  node: 'pve1',
  tags: ['betang'],
  maxcpu: 2,
  maxmem: 2048 * 2 ** 20,
  maxdisk: 20 * 2 ** 30,
  ...o,
});

describe('computeFindings', () => {
  it('should list orphans, missing VMs, drift, stuck runs and VMs without an agreement — and nothing for a healthy VM', () => {
    const stuck = {
      id: 'run-9',
      kind: 'provision',
      status: 'running',
      currentStep: 'clone',
      deadlineAt: new Date(0),
      attempt: 2,
    } as RunRow;
    const findings = computeFindings({
      clusterVms: [
        cvm(100001),
        cvm(100002, { maxcpu: 4 }),
        cvm(100077),
        cvm(9000, { template: true }),
        cvm(100088, { tags: ['other'], lock: 'clone' }),
        cvm(200001, { tags: [] }),
      ],
      liveVms: [
        vm({}),
        vm({ id: 'vm-2', vmid: 100002, institutionId: 'inst-2' }),
        vm({ id: 'vm-3', vmid: 100003 }),
        vm({ id: 'vm-4', vmid: 100004, state: 'reserved' }),
      ],
      stuckRuns: [stuck],
      institutionsInForce: new Set(['inst-1']),
      vmidRange: { min: 100_000, max: 100_099 },
    });
    expect(findings.map((f) => f.fingerprint).sort()).toEqual(
      ['orphan_vm:100077', 'orphan_vm:100088', 'stuck_run:run-9', 'config_drift:vm-2', 'no_agreement:vm-2', 'missing_vm:vm-3'].sort(),
    );
    const drift = findings.find((f) => f.kind === 'config_drift');
    expect(drift?.message.en).toContain('cores 4 ≠ 2');
    expect(drift?.message.id).toContain('core 4 ≠ 2');
    expect(drift?.message.id).not.toMatch(/\b(cores|memory)\b/);
    expect(findings.find((f) => f.fingerprint === 'orphan_vm:100088')?.message.en).toContain(
      "in Betang's VMID range but not recorded in the database (locked: clone)",
    );
    expect(findings.every((f) => f.message.id.length > 0 && f.message.en.length > 0)).toBe(true);
  });

  it('should leave alone a test-restore copy a live test holds (it carries the original tags until configured), but not another tagged VM', () => {
    const findings = computeFindings({
      clusterVms: [cvm(990_001, { name: 'web' }), cvm(990_002)],
      liveVms: [],
      stuckRuns: [],
      institutionsInForce: new Set(),
      vmidRange: { min: 100_000, max: 100_099 },
      testRestoreVmids: new Set([990_001]),
    });
    expect(findings.map((f) => f.fingerprint)).toEqual(['orphan_vm:990002']);
  });

  it('should watch a retained VM like a built one (missing, drift), but not ask for an agreement it is leaving', () => {
    const findings = computeFindings({
      clusterVms: [cvm(100002, { maxmem: 4096 * 2 ** 20 })],
      liveVms: [
        vm({ state: 'retained', institutionId: 'inst-9' }),
        vm({ id: 'vm-2', vmid: 100002, state: 'retained', institutionId: 'inst-9' }),
      ],
      stuckRuns: [],
      institutionsInForce: new Set(['inst-1']),
      vmidRange: { min: 100_000, max: 100_099 },
    });
    expect(findings.map((f) => f.fingerprint).sort()).toEqual(['config_drift:vm-2', 'missing_vm:vm-1']);
  });

  it('should report a recorded VM whose Betang tag an operator removed as marker_removed, never as an orphan', () => {
    const findings = computeFindings({
      clusterVms: [cvm(100001, { tags: ['web', 'prod'] }), cvm(100002)],
      liveVms: [vm({}), vm({ id: 'vm-2', vmid: 100002 })],
      stuckRuns: [],
      institutionsInForce: new Set(['inst-1']),
      vmidRange: { min: 100_000, max: 100_099 },
    });
    expect(findings.map((f) => f.fingerprint)).toEqual(['marker_removed:vm-1']);
    expect(findings[0]?.message.id).toContain('tetap milik Betang');
    expect(findings[0]?.detail).toEqual({ tags: ['web', 'prod'] });
  });
});
