import { bilingualDetail } from '@betang/core';
import {
  appendAudit,
  getVmByRequest,
  releaseAddress,
  releasePublicEndpoint,
  resolveCleanupFindingsOfRequest,
  transitionVm,
  upsertFinding,
  type RunRow,
} from '@betang/db';
import type { WorkerDeps } from '../deps';
import type { Compensation } from '../harness/run-definition';
import { destroyOwnedVm, type DestroyOutcome } from './destroy-owned-vm';
import { runMarker } from './provision-context';
import { syncEdge } from '../public-endpoints/edge';
import { settingsOf } from '../settings';

/** Key of the clone step, whose compensation the reservation's compensation reads. */
export const CLONE_STEP_KEY = 'clone';

/**
 * Undoes the clone: destroys the VM at the request's vmid only when it carries this run's marker.
 * A VM that cannot be proven ours (foreign, locked, unknown because no PVE client) is kept, with
 * a `cleanup_pending` finding for operators. Safe to repeat: a second call finds the VM absent.
 */
export async function destroyRunVm(deps: WorkerDeps, run: RunRow): Promise<Compensation> {
  const vm = await getVmByRequest(deps.db, run.requestId);
  let outcome: DestroyOutcome = { outcome: 'absent' };
  const pve = deps.pve;
  if (vm?.vmid && pve) outcome = await destroyOwnedVm(pve, vm.vmid, runMarker(run.id), settingsOf(deps).PVE_TASK_SECONDS * 1000);
  else if (vm?.vmid && !pve) outcome = { outcome: 'not-ours', state: 'unknown (no PVE client)' };
  if (outcome.outcome === 'not-ours') {
    await upsertFinding(deps.db, {
      kind: 'cleanup_pending',
      fingerprint: `cleanup_pending:${run.id}`,
      institutionId: vm?.institutionId ?? null,
      vmId: vm?.id ?? null,
      runId: run.id,
      vmid: vm?.vmid ?? null,
      node: outcome.node ?? vm?.node ?? null,
      message: {
        id: `VM ${vm?.vmid} tidak dihapus karena tidak membawa penanda proses ini (${outcome.state}); VMID dan alamat IP tetap dipesan sampai operator memutuskan.`,
        en: `VM ${vm?.vmid} was not destroyed because it does not carry this run's marker (${outcome.state}); the VMID and IP stay reserved until an operator decides.`,
      },
    });
    return {
      undone: false,
      result: outcome,
      detail: bilingualDetail({ id: `VM tidak disentuh: ${outcome.state}`, en: `VM left alone: ${outcome.state}` }),
    };
  }
  return { undone: true, result: outcome, detail: `VM ${vm?.vmid ?? '-'}: ${outcome.outcome}` };
}

function destroyed(c: Compensation): DestroyOutcome['outcome'] | null {
  const r = c.result as { outcome?: unknown } | undefined;
  return r?.outcome === 'destroyed' || r?.outcome === 'absent' || r?.outcome === 'not-ours' ? r.outcome : null;
}

/**
 * Undoes the reservation once the vmid is known to hold nothing of this run (`vmGone`, the
 * clone's compensation): the VM row becomes failed (releasing its vmid), the address is released,
 * the request's open cleanup findings are resolved, all in one transaction with its audit entry.
 * When the VM was kept, nothing is released: the address may still be in use. Safe to repeat.
 */
export async function releaseReservation(deps: WorkerDeps, run: RunRow, vmGone: Compensation): Promise<Compensation> {
  if (!vmGone.undone)
    return { undone: false, detail: bilingualDetail({ id: 'VMID dan IP tetap dipesan', en: 'VMID and IP stay reserved' }) };
  const vm = await getVmByRequest(deps.db, run.requestId);
  const released = await deps.db.transaction().execute(async (tx) => {
    // A row already failed (a second rollback after a crash) stays as it is.
    if (vm) await transitionVm(tx, vm.id, ['reserved', 'provisioning', 'missing'], 'failed', { onMismatch: 'skip' });
    const n = await releaseAddress(tx, run.requestId, `run ${run.id} failed`);
    await releasePublicEndpoint(tx, run.requestId, `run ${run.id} failed`);
    await resolveCleanupFindingsOfRequest(tx, run.requestId);
    await appendAudit(tx, {
      actorUserId: null,
      actorLabel: 'worker',
      institutionId: vm?.institutionId ?? null,
      action: 'vm.cleaned_up',
      targetType: 'provisioning_run',
      targetId: run.id,
      after: { vmid: vm?.vmid ?? null, vm: destroyed(vmGone), addressesReleased: n },
    });
    return n;
  });
  if (deps.publicEndpoints) await syncEdge(deps.db, deps.publicEndpoints.edge);
  return {
    undone: true,
    result: { addressesReleased: released },
    detail: bilingualDetail({ id: 'VMID dan IP dilepas', en: 'VMID and IP released' }),
  };
}
