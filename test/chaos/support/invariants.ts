/*
 * What must hold after any amount of chaos, checked from three sources that must agree: the
 * requests and their runs, allocations and audit rows in PostgreSQL, and the VMs the simulated
 * cluster really has. Each broken rule is one readable violation line.
 */
import { VM_HOLDING_STATES, type Db } from '@betang/db';

export type SimVm = { vmid: number; node: string; template?: boolean | number; config: Record<string, unknown> };

type InvariantReport = { checked: Record<string, number>; violations: string[] };

const RUN_TAG = /^betang-run-([0-9a-f-]{36})$/;

function tagsOf(vm: SimVm): string[] {
  return String(vm.config.tags ?? '')
    .split(/[;,\s]+/)
    .filter(Boolean);
}

function runIdOf(vm: SimVm): string | undefined {
  for (const tag of tagsOf(vm)) {
    const m = RUN_TAG.exec(tag);
    if (m) return m[1];
  }
  return undefined;
}

/** The address in `ipconfig0` (`ip=10.60.0.12/24,gw=…`), if any. */
function configuredAddress(vm: SimVm): string | undefined {
  return /ip=([0-9.]+)\//.exec(String(vm.config.ipconfig0 ?? ''))?.[1];
}

/**
 * Checks every invariant for the given requests against the database and the cluster's VMs
 * (`vmidRange` = Betang's own range: anything in it must be accounted for).
 */
export async function checkInvariants(
  db: Db,
  requestIds: string[],
  simVms: SimVm[],
  vmidRange: { min: number; max: number },
  minActiveShare: number,
): Promise<InvariantReport> {
  const violations: string[] = [];
  const requests = await db
    .selectFrom('vpsRequests')
    .select(['id', 'status', 'statusReason', 'hostname'])
    .where('id', 'in', requestIds)
    .execute();
  const runs = await db.selectFrom('provisioningRuns').select(['id', 'requestId', 'status', 'kind']).execute();
  const vmRows = await db.selectFrom('vms').select(['id', 'requestId', 'vmid', 'state', 'node']).execute();
  const allocations = await db.selectFrom('ipAllocations').select(['address', 'requestId', 'vmId', 'releasedAt']).execute();
  const audit = await db.selectFrom('auditLog').select(['action', 'targetId']).where('targetId', 'in', requestIds).execute();
  const byId = new Map(requests.map((r) => [r.id, r]));
  const runById = new Map(runs.map((r) => [r.id, r]));
  const guests = simVms.filter((v) => !v.template);

  // 1. Every request ends active, or failed with a reason.
  if (requests.length !== requestIds.length)
    violations.push(`${requestIds.length - requests.length} submitted request(s) missing from the database`);
  for (const r of requests) {
    if (r.status === 'active') continue;
    if (r.status === 'failed' && (r.statusReason ?? '').trim().length > 0) continue;
    violations.push(`request ${r.hostname} ended ${r.status}${r.status === 'failed' ? ' without a reason' : ''}`);
  }
  // Failing every request cleanly would satisfy every other rule: the faults injected are all
  // retryable, so nearly every request must still reach active.
  const active = requests.filter((r) => r.status === 'active').length;
  if (active < Math.ceil(minActiveShare * requestIds.length)) {
    violations.push(
      `only ${active} of ${requestIds.length} requests became active (at least ${Math.round(minActiveShare * 100)} % required)`,
    );
  }

  // 2. Exactly one VM per active request, the one its vms row names; none for the others.
  const vmsByRequest = new Map<string, SimVm[]>();
  for (const vm of guests) {
    const runId = runIdOf(vm);
    if (!runId) continue;
    const run = runById.get(runId);
    // 3. No Betang-tagged VM without a run.
    if (!run) {
      violations.push(`VM ${vm.vmid} on ${vm.node} carries betang-run-${runId}, but no such run exists`);
      continue;
    }
    vmsByRequest.set(run.requestId, [...(vmsByRequest.get(run.requestId) ?? []), vm]);
  }
  for (const r of requests) {
    const mine = vmsByRequest.get(r.id) ?? [];
    const row = vmRows.find((v) => v.requestId === r.id && (VM_HOLDING_STATES as readonly string[]).includes(v.state));
    if (r.status === 'active') {
      if (mine.length !== 1)
        violations.push(
          `active request ${r.hostname} has ${mine.length} VMs on the cluster (${mine.map((v) => v.vmid).join(', ') || 'none'})`,
        );
      else if (row?.vmid !== mine[0]?.vmid)
        violations.push(`active request ${r.hostname}: database says vmid ${row?.vmid ?? 'none'}, the cluster has ${mine[0]?.vmid}`);
    } else if (mine.length > 0) {
      violations.push(`${r.status} request ${r.hostname} still has VM(s) ${mine.map((v) => v.vmid).join(', ')} on the cluster`);
    }
  }

  // 4. vmids: none held twice, none held by a request that is not active, none on the cluster unaccounted for.
  const held = vmRows.filter((v) => (VM_HOLDING_STATES as readonly string[]).includes(v.state) && v.vmid !== null);
  const seenVmid = new Map<number, number>();
  for (const v of held) seenVmid.set(v.vmid!, (seenVmid.get(v.vmid!) ?? 0) + 1);
  for (const [vmid, n] of seenVmid) if (n > 1) violations.push(`vmid ${vmid} held by ${n} VM rows`);
  for (const v of held) {
    const r = byId.get(v.requestId);
    if (r && r.status !== 'active') violations.push(`vmid ${v.vmid} still held (state ${v.state}) by ${r.status} request ${r.hostname}`);
  }
  const heldSet = new Set(held.map((v) => v.vmid));
  for (const vm of guests) {
    if (vm.vmid >= vmidRange.min && vm.vmid <= vmidRange.max && !heldSet.has(vm.vmid))
      violations.push(`VM ${vm.vmid} on the cluster is in Betang's range but no VM row holds it`);
  }

  // 5. Addresses: none held twice, one per active request (the one configured on its VM), none leaked.
  const liveAlloc = allocations.filter((a) => a.releasedAt === null);
  const seenAddress = new Map<string, number>();
  for (const a of liveAlloc) seenAddress.set(a.address, (seenAddress.get(a.address) ?? 0) + 1);
  for (const [address, n] of seenAddress) if (n > 1) violations.push(`address ${address} held ${n} times`);
  for (const r of requests) {
    const mine = liveAlloc.filter((a) => a.requestId === r.id);
    if (r.status === 'active') {
      const vm = (vmsByRequest.get(r.id) ?? [])[0];
      if (mine.length !== 1) violations.push(`active request ${r.hostname} holds ${mine.length} addresses`);
      else if (vm && configuredAddress(vm) !== mine[0]?.address)
        violations.push(
          `active request ${r.hostname}: holds ${mine[0]?.address}, its VM is configured with ${configuredAddress(vm) ?? 'nothing'}`,
        );
    } else if (mine.length > 0) {
      violations.push(`${r.status} request ${r.hostname} still holds address(es) ${mine.map((a) => a.address).join(', ')}`);
    }
  }

  // 6. Audit log complete for every request.
  const actions = new Map<string, Set<string>>();
  for (const a of audit) if (a.targetId) actions.set(a.targetId, (actions.get(a.targetId) ?? new Set()).add(a.action));
  for (const r of requests) {
    const got = actions.get(r.id) ?? new Set();
    const want = ['vps_request.submitted', 'vps_request.approved', r.status === 'active' ? 'vm.provisioned' : 'vm.provision_failed'];
    const missing = want.filter((w) => !got.has(w));
    if (missing.length) violations.push(`audit log of ${r.hostname} (${r.status}) lacks ${missing.join(', ')}`);
  }

  return {
    checked: {
      requests: requests.length,
      active: requests.filter((r) => r.status === 'active').length,
      failed: requests.filter((r) => r.status === 'failed').length,
      clusterVms: guests.length,
      heldVmids: held.length,
      heldAddresses: liveAlloc.length,
      auditRows: audit.length,
    },
    violations,
  };
}
