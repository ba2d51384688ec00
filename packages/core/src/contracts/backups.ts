import { z } from 'zod';
import { DATA_CLASSIFICATIONS } from './applications';
import { CONTRACT_MESSAGES, worded, wordedPattern } from './messages';
import { ZHostname } from './requests';

/** `HH:MM`, a wall-clock time in WIB (UTC+7, no daylight saving). */
const ZClock = z.string().regex(wordedPattern(/^([01]\d|2[0-3]):[0-5]\d$/, CONTRACT_MESSAGES.clock));

/**
 * The backup policy of one service class (the data classification of the VM's application):
 * one backup a day within the window (WIB; an end before the start crosses midnight), the
 * retention PVE prunes by, and the backup storage (a PBS datastore or a directory storage).
 */
/** vzdump's backup modes, as PVE names them. */
export const BACKUP_MODES = ['snapshot', 'suspend', 'stop'] as const;

export const ZBackupClassPolicy = z
  .strictObject({
    windowStart: ZClock,
    windowEnd: ZClock,
    keepDaily: z.number().int().min(1).max(366),
    keepWeekly: z.number().int().min(0).max(520),
    keepMonthly: z.number().int().min(0).max(120),
    // PVE's pve-storage-id format
    storage: z
      .string()
      .max(100)
      .regex(wordedPattern(/^[A-Za-z][A-Za-z0-9\-_.]*[A-Za-z0-9]$/, CONTRACT_MESSAGES.storageId)),
    /**
     * vzdump's mode (absent: `snapshot`, the guest keeps running). `suspend` pauses the guest
     * until the backup job runs; `stop` shuts it down cleanly and starts it again (docs/data-protection.md).
     */
    mode: z.enum(BACKUP_MODES).optional(),
  })
  .refine((p) => p.windowStart !== p.windowEnd, { ...worded(CONTRACT_MESSAGES.emptyWindow), path: ['windowEnd'] });
export type BackupClassPolicy = z.infer<typeof ZBackupClassPolicy>;

/**
 * Setting `backup_policy` (admins): the one source for both the backup scheduler and the backup
 * article of every agreement generated afterwards. `perNodeLimit` caps concurrent backups per node.
 */
export const ZBackupPolicy = z.strictObject({
  classes: z.strictObject(
    Object.fromEntries(DATA_CLASSIFICATIONS.map((c) => [c, ZBackupClassPolicy])) as Record<
      (typeof DATA_CLASSIFICATIONS)[number],
      typeof ZBackupClassPolicy
    >,
  ),
  perNodeLimit: z.number().int().min(1).max(16),
  offsiteCopy: z.boolean(),
});
export type BackupPolicy = z.infer<typeof ZBackupPolicy>;

export const DEFAULT_BACKUP_POLICY: BackupPolicy = {
  classes: {
    strategis: { windowStart: '01:00', windowEnd: '05:00', keepDaily: 14, keepWeekly: 8, keepMonthly: 12, storage: 'pbs' },
    tinggi: { windowStart: '01:00', windowEnd: '05:00', keepDaily: 7, keepWeekly: 4, keepMonthly: 6, storage: 'pbs' },
    rendah: { windowStart: '01:00', windowEnd: '05:00', keepDaily: 7, keepWeekly: 4, keepMonthly: 0, storage: 'pbs' },
  },
  perNodeLimit: 1,
  offsiteCopy: true,
};

/** Outcome of one recorded backup. */
export const BACKUP_OUTCOMES = ['running', 'ok', 'failed'] as const;

/** One backup of a VM as `GET /vms/:id/backups` lists it (newest first). */
export const ZVmBackup = z.strictObject({
  id: z.string(),
  backupDate: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationSeconds: z.number().int().nullable(),
  sizeBytes: z.number().int().nullable(),
  storage: z.string(),
  volid: z.string().nullable(),
  outcome: z.enum(BACKUP_OUTCOMES),
  error: z.strictObject({ id: z.string(), en: z.string() }).nullable(),
  /**
   * The final backup taken when the VM's agreement ended without a successor (docs/leases.md):
   * protected on the storage, so the nightly retention never prunes it, and kept after the VM is gone.
   */
  kept: z.boolean(),
  /** Seconds the guest was off or paused for this backup (stop/suspend mode); null when it kept running. */
  downtimeSeconds: z.number().int().nullable(),
});
export type VmBackup = z.infer<typeof ZVmBackup>;

/** `GET /vms/:id/backups` answer: the records and the policy that applies to the VM. */
export const ZVmBackupList = z.strictObject({
  classification: z.enum(DATA_CLASSIFICATIONS),
  policy: ZBackupClassPolicy,
  items: z.array(ZVmBackup),
});
export type VmBackupList = z.infer<typeof ZVmBackupList>;

/**
 * Ways to restore a backup: over the VM itself (its vmid, address and MAC address stay), or into
 * a new VM (a new request of the same application: its own vmid, address and MAC address).
 */
export const RESTORE_MODES = ['in_place', 'new_vm'] as const;
export type RestoreMode = (typeof RESTORE_MODES)[number];

/**
 * `POST /vms/:id/backups/:backupId/restore` body: the mode and the explicit confirmation (in
 * place: everything written since the backup is lost; new VM: a new VPS is made and counts
 * against the quota; absent or false: 422, a rule of the use case). `hostname` names the new VM
 * (new_vm only; default: the VM's hostname with `-pulih`).
 */
export const ZRestoreBackupBody = z.strictObject({
  mode: z.enum(RESTORE_MODES),
  confirm: z.boolean().optional(),
  hostname: ZHostname.optional(),
});
export type RestoreBackupBody = z.infer<typeof ZRestoreBackupBody>;

/** Path of one backup of one VM. */
export const ZBackupParams = z.strictObject({ id: z.uuid(), backupId: z.uuid() });

/**
 * 202 answer of a restore: its run, queued or awaiting approval. In place: the change approval,
 * the run exists (`runId`). New VM: `requestId` is the new VPS request; while it awaits the
 * approval queue no run exists yet (`runId` null).
 */
export const ZBackupRestoreAnswer = z.object({
  runId: z.uuid().nullable(),
  status: z.enum(['queued', 'awaiting_approval']),
  requestId: z.uuid().optional(),
});
export type BackupRestoreAnswer = z.infer<typeof ZBackupRestoreAnswer>;
