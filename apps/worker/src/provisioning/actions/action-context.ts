import { getVm, getVmByRequest, lastSucceededProvisionRun, type RunRow, type VmRow } from '@betang/db';
import type { PveClient } from '@betang/proxmox';
import { z } from 'zod';
import type { WorkerDeps, WorkerSettings } from '../../deps';
import { createStep, type Step } from '../../harness/run-definition';
import { permanent } from '../../harness/run-error';
import { requirePve, runMarker } from '../provision-context';
import { settingsOf } from '../../settings';

const ZSizes = z.object({ cores: z.number().int(), memoryMiB: z.number().int(), diskGiB: z.number().int() });

/**
 * `params` of day-2 runs (jsonb written by the API): a change (`resize`) carries the new absolute
 * sizes (grow only; omitted = unchanged) and open ports, decommission an optional reason.
 */
const ZActionParams = z
  .object({
    cores: z.number().int().min(1).max(128).optional(),
    memoryMiB: z.number().int().min(512).max(1_048_576).optional(),
    diskGiB: z.number().int().min(1).max(65_536).optional(),
    reason: z.string().max(500).optional(),
    /** A change's new open ports (absent: unchanged). */
    ports: z.array(z.number().int().min(1).max(65535)).max(64).optional(),
    /** Sizes the request held before a change, and the VM's sizes when it was asked. */
    from: ZSizes.optional(),
    before: ZSizes.optional(),
    /** `ssh_keys`: the admin user's whole new authorized_keys (validated public keys, one per line) and that user. */
    sshPublicKeys: z.array(z.string().max(16_384)).min(1).max(20).optional(),
    adminUser: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
      .optional(),
    /** `console_password`: the new password sealed with RunSecretBox (wiped when the run ends). */
    consolePassword: z.string().startsWith('enc:v1:').max(4096).optional(),
    /** The `vm_snapshots` row a snapshot run takes, rolls back to or deletes. */
    snapshotId: z.uuid().optional(),
    /** `restore`: the `vm_backups` row restored over the VM. */
    backupId: z.uuid().optional(),
    /** A rollback starts the VM afterwards. */
    start: z.boolean().optional(),
  })
  .loose();
type ActionParams = z.infer<typeof ZActionParams>;

export type ActionKind =
  | 'start'
  | 'stop'
  | 'shutdown'
  | 'reboot'
  | 'resize'
  | 'decommission'
  | 'ssh_keys'
  | 'snapshot'
  | 'snapshot_rollback'
  | 'snapshot_delete'
  | 'console_password'
  | 'restore'
  | 'adopt'
  | 'release';

export type ActionCtx = {
  deps: WorkerDeps;
  settings: WorkerSettings;
  pve: PveClient;
  kind: ActionKind;
  vm: VmRow;
  params: ActionParams;
  /** Marker of the provision run that built the VM: the only VM Betang may destroy. */
  marker: string | undefined;
};

/** A day-2 step: its context and the output it declares (day-2 steps have nothing to compensate). */
export type ActionStep<T = void> = Step<ActionCtx, T, WorkerDeps>;

/** Declares a day-2 step (createStep with the action types). */
export function actionStep<T = void>(step: Omit<ActionStep<T>, '__output'>): ActionStep<T> {
  return createStep<ActionCtx, T, WorkerDeps>(step);
}

/** Loads a day-2 run's VM and params; a run without a built VM is a permanent, explained error. */
export async function loadActionCtx(deps: WorkerDeps, run: RunRow): Promise<ActionCtx> {
  const vm = run.vmId ? await getVm(deps.db, run.vmId) : await getVmByRequest(deps.db, run.requestId);
  if (!vm || vm.vmid === null)
    throw permanent('VM_UNKNOWN', { id: 'Run ini tidak merujuk VM yang sudah dibuat.', en: 'This run does not refer to a built VM.' });
  const params = ZActionParams.safeParse(run.params ?? {});
  if (!params.success)
    throw permanent('PARAMS_INVALID', {
      id: `Parameter run tidak valid: ${params.error.message}`,
      en: `Invalid run parameters: ${params.error.message}`,
    });
  const provision = await lastSucceededProvisionRun(deps.db, run.requestId);
  return {
    deps,
    settings: settingsOf(deps),
    pve: requirePve(deps),
    kind: run.kind as ActionKind,
    vm,
    params: params.data,
    marker: provision ? runMarker(provision.id) : undefined,
  };
}
