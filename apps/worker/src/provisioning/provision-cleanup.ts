import {
  appendAudit,
  getVmByRequest,
  markStepDone,
  markStepFailed,
  markStepRunning,
  releaseAddress,
  resetRunSteps,
  resolveCleanupFindingsOfRequest,
  updateVm,
  upsertFinding,
  type RunRow,
} from '@betang/db';
import type { Logger } from 'pino';
import { classifyError } from '../harness/classify-error';
import type { WorkerDeps } from '../deps';
import { destroyOwnedVm } from './destroy-owned-vm';
import { runMarker } from './provision-context';
import { settingsOf } from './settings';
import { abortableSleep } from './sleep';

export const CLEANUP_STEP = 'cleanup';

/**
 * Runs `fn` again after a transient failure (STEP_RETRIES times, doubling from
 * STEP_RETRY_BASE_MS), as steps are: one PVE 5xx must not leave a VM, its vmid and its address
 * held until an operator steps in. Only for idempotent `fn` (destroyOwnedVm is).
 */
async function retryTransient<T>(deps: WorkerDeps, fn: () => Promise<T>): Promise<T> {
  const s = settingsOf(deps);
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (!classifyError(error).retryable || i >= s.STEP_RETRIES) throw error;
      await abortableSleep(s.STEP_RETRY_BASE_MS * 2 ** i, deps.stopping);
    }
  }
}

/**
 * Cleanup after a provision run failed for good: destroys the VM only when it carries this run's
 * marker, then releases the vmid (VM row → failed) and the address, and forgets the memo of the
 * undone steps so an operator's retry builds again. When the VM cannot be checked or destroyed
 * (node offline, foreign/locked VM) nothing is released — the address may still be in use — and
 * a `cleanup_pending` finding tells operators. History (run, steps, audit) is kept. Safe to repeat.
 */
export async function cleanupProvisionRun(deps: WorkerDeps, run: RunRow, position: number, log: Logger): Promise<void> {
  const { db } = deps;
  const vm = await getVmByRequest(db, run.requestId);
  await markStepRunning(db, run.id, CLEANUP_STEP, position);
  try {
    let outcome: Awaited<ReturnType<typeof destroyOwnedVm>> = { outcome: 'absent' };
    const pve = deps.pve;
    if (vm?.vmid && pve) outcome = await retryTransient(deps, () => destroyOwnedVm(pve, vm.vmid!, runMarker(run.id), settingsOf(deps).PVE_TASK_SECONDS * 1000));
    else if (vm?.vmid && !deps.pve) outcome = { outcome: 'not-ours', state: 'unknown (no PVE client)' };
    if (outcome.outcome === 'not-ours') {
      await upsertFinding(db, {
        kind: 'cleanup_pending', fingerprint: `cleanup_pending:${run.id}`, institutionId: vm?.institutionId ?? null, vmId: vm?.id ?? null, runId: run.id, vmid: vm?.vmid ?? null, node: outcome.node ?? vm?.node ?? null,
        message: {
          id: `VM ${vm?.vmid} tidak dihapus karena tidak membawa penanda run ini (${outcome.state}); VMID dan alamat IP tetap dipesan sampai operator memutuskan.`,
          en: `VM ${vm?.vmid} was not destroyed because it does not carry this run's marker (${outcome.state}); the VMID and IP stay reserved until an operator decides.`,
        },
      });
      await markStepDone(db, run.id, CLEANUP_STEP, { result: outcome, detail: `VM tidak disentuh / VM left alone: ${outcome.state}` });
      return;
    }
    await db.transaction().execute(async (tx) => {
      if (vm) await updateVm(tx, vm.id, { state: 'failed' });
      const released = await releaseAddress(tx, run.requestId, `run ${run.id} failed`);
      await resolveCleanupFindingsOfRequest(tx, run.requestId);
      await resetRunSteps(tx, run.id, [CLEANUP_STEP], 'dibatalkan oleh pembersihan / undone by cleanup');
      await appendAudit(tx, {
        actorUserId: null, actorLabel: 'worker', institutionId: vm?.institutionId ?? null, action: 'vm.cleaned_up', targetType: 'provisioning_run', targetId: run.id,
        after: { vmid: vm?.vmid ?? null, vm: outcome.outcome, addressesReleased: released },
      });
    });
    await markStepDone(db, run.id, CLEANUP_STEP, { result: outcome, detail: `VM ${vm?.vmid ?? '-'}: ${outcome.outcome}; VMID dan IP dilepas / VMID and IP released` });
  } catch (error) {
    const c = classifyError(error);
    log.error({ err: error, runId: run.id }, 'pembersihan gagal / cleanup failed');
    await markStepFailed(db, run.id, CLEANUP_STEP, { code: c.code, message: c.text }).catch(() => undefined);
    await upsertFinding(db, {
      kind: 'cleanup_pending', fingerprint: `cleanup_pending:${run.id}`, institutionId: vm?.institutionId ?? null, vmId: vm?.id ?? null, runId: run.id, vmid: vm?.vmid ?? null, node: vm?.node ?? null,
      message: { id: `Pembersihan run gagal: ${c.text.id}`, en: `Cleaning up the run failed: ${c.text.en}` },
    }).catch(() => undefined);
  }
}
