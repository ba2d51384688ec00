import type { FindingInput, RunRow, VmRow } from '@betang/db';
import type { ClusterVm } from '@betang/proxmox';
import { abandonedLockFinding } from './abandoned-lock-finding';

type ReconcileInput = {
  clusterVms: ClusterVm[];
  liveVms: VmRow[];
  stuckRuns: RunRow[];
  institutionsInForce: Set<string>;
  /** Betang's vmid range: a VM in it that no live row holds is an orphan even without tags (e.g. a clone that died before configure). */
  vmidRange?: { min: number; max: number };
  /** Vmids whose config lock no running task holds (see findAbandonedLocks): reported as such, not as orphans. */
  abandonedLocks?: ReadonlySet<number>;
  /** Vmids of test-restore copies a live test holds: restored from a Betang VM, they carry its tags until configured. */
  testRestoreVmids?: ReadonlySet<number>;
};

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/**
 * Compares the cluster with PostgreSQL and lists what operators must look at. Pure: the same
 * input always gives the same findings (fingerprints are stable), so rounds are idempotent.
 */
export function computeFindings(input: ReconcileInput): FindingInput[] {
  const out: FindingInput[] = [];
  const byVmid = new Map(input.clusterVms.map((v) => [v.vmid, v]));
  const liveVmids = new Set(input.liveVms.map((v) => v.vmid));
  for (const vm of input.clusterVms) {
    if (input.testRestoreVmids?.has(vm.vmid)) continue;
    if (vm.lock && input.abandonedLocks?.has(vm.vmid)) {
      out.push(abandonedLockFinding(vm.vmid, vm.node, vm.lock, false));
      continue;
    }
    const inRange = input.vmidRange !== undefined && vm.vmid >= input.vmidRange.min && vm.vmid <= input.vmidRange.max;
    if (vm.template || !(vm.tags.includes('betang') || inRange) || liveVms(liveVmids, vm.vmid)) continue;
    out.push({
      kind: 'orphan_vm',
      fingerprint: `orphan_vm:${vm.vmid}`,
      vmid: vm.vmid,
      node: vm.node,
      message: {
        id: `VM ${vm.vmid} di node ${vm.node} ${vm.tags.includes('betang') ? 'bertanda Betang' : 'ada di rentang VMID Betang'} tetapi tidak tercatat di basis data${vm.lock ? ` (terkunci: ${vm.lock})` : ''}. Periksa lalu hapus atau adopsi secara manual.`,
        en: `VM ${vm.vmid} on node ${vm.node} is ${vm.tags.includes('betang') ? 'tagged Betang' : "in Betang's VMID range"} but not recorded in the database${vm.lock ? ` (locked: ${vm.lock})` : ''}. Check it, then delete or adopt it manually.`,
      },
      detail: { tags: vm.tags, name: vm.name ?? null, lock: vm.lock ?? null },
    });
  }
  for (const run of input.stuckRuns) {
    out.push({
      kind: 'stuck_run',
      fingerprint: `stuck_run:${run.id}`,
      runId: run.id,
      message: {
        id: `Run ${run.kind} ${run.id} masih ${run.status} melewati tenggatnya (langkah: ${run.currentStep ?? '-'}).`,
        en: `Run ${run.kind} ${run.id} is still ${run.status} past its deadline (step: ${run.currentStep ?? '-'}).`,
      },
      detail: { status: run.status, deadlineAt: run.deadlineAt, attempt: run.attempt },
    });
  }
  for (const vm of input.liveVms) {
    if (vm.vmid === null) continue;
    // A retained VM (a decommission's grace period) is still built: it must stay in the cluster,
    // unchanged, to be restorable; only the agreement check leaves it alone, as it is on its way out.
    const inService = vm.state === 'running' || vm.state === 'stopped' || vm.state === 'missing';
    const built = inService || vm.state === 'retained';
    const inCluster = byVmid.get(vm.vmid);
    if (built && !inCluster) {
      out.push({
        kind: 'missing_vm',
        fingerprint: `missing_vm:${vm.id}`,
        vmId: vm.id,
        institutionId: vm.institutionId,
        vmid: vm.vmid,
        node: vm.node,
        message: {
          id: `VM ${vm.vmid} (${vm.name}) aktif di Betang tetapi tidak ada di klaster.`,
          en: `VM ${vm.vmid} (${vm.name}) is active in Betang but missing from the cluster.`,
        },
      });
    }
    if (built && inCluster && !inCluster.template && !inCluster.tags.includes('betang')) {
      out.push({
        kind: 'marker_removed',
        fingerprint: `marker_removed:${vm.id}`,
        vmId: vm.id,
        institutionId: vm.institutionId,
        vmid: vm.vmid,
        node: inCluster.node,
        message: {
          id: `Tag Betang pada VM ${vm.vmid} (${vm.name}) dihapus di Proxmox. VM ini tetap milik Betang menurut basis data (VMID dan UUID SMBIOS yang dicatat saat clone); pasang kembali tag "betang".`,
          en: `Betang's tag on VM ${vm.vmid} (${vm.name}) was removed in Proxmox. The VM is still Betang's by the database (vmid and the SMBIOS uuid recorded at clone); put the "betang" tag back.`,
        },
        detail: { tags: inCluster.tags },
      });
    }
    if (built && inCluster) {
      // Each difference in both languages (glossary: memori), and once language-neutral for `detail`.
      const drift: string[] = [];
      const driftId: string[] = [];
      const differs = (en: string, id: string, values: string) => {
        drift.push(`${en} ${values}`);
        driftId.push(`${id} ${values}`);
      };
      if (inCluster.maxcpu !== undefined && inCluster.maxcpu !== vm.cores) differs('cores', 'core', `${inCluster.maxcpu} ≠ ${vm.cores}`);
      if (inCluster.maxmem !== undefined && inCluster.maxmem !== vm.memoryMiB * MiB)
        differs('memory', 'memori', `${Math.round(inCluster.maxmem / MiB)} MiB ≠ ${vm.memoryMiB} MiB`);
      if (inCluster.maxdisk !== undefined && inCluster.maxdisk !== vm.diskGiB * GiB)
        differs('disk', 'disk', `${Math.round(inCluster.maxdisk / GiB)} GiB ≠ ${vm.diskGiB} GiB`);
      if (drift.length) {
        out.push({
          kind: 'config_drift',
          fingerprint: `config_drift:${vm.id}`,
          vmId: vm.id,
          institutionId: vm.institutionId,
          vmid: vm.vmid,
          node: inCluster.node,
          message: {
            id: `Spesifikasi VM ${vm.vmid} berbeda dari yang disetujui: ${driftId.join('; ')}.`,
            en: `VM ${vm.vmid} differs from what was approved: ${drift.join('; ')}.`,
          },
          detail: { drift },
        });
      }
    }
    if (inService && !input.institutionsInForce.has(vm.institutionId)) {
      out.push({
        kind: 'no_agreement',
        fingerprint: `no_agreement:${vm.id}`,
        vmId: vm.id,
        institutionId: vm.institutionId,
        vmid: vm.vmid,
        node: vm.node,
        message: {
          id: `VM ${vm.vmid} (${vm.name}) berjalan tanpa perjanjian yang berlaku untuk perangkat daerahnya.`,
          en: `VM ${vm.vmid} (${vm.name}) runs without an agreement in force for its institution.`,
        },
      });
    }
  }
  return out;
}

function liveVms(vmids: Set<number | null>, vmid: number): boolean {
  return vmids.has(vmid);
}
