import { z } from 'zod';
import { zText } from './common';

/** Life of a snapshot Betang took (`vm_snapshots.status`). */
export const SNAPSHOT_STATUSES = ['creating', 'present', 'deleting', 'deleted', 'failed'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

/** A snapshot as `GET /vms/:id/snapshots` lists it. */
export const ZVmSnapshot = z.object({
  id: z.uuid(),
  /** The snapshot's name on Proxmox (`betang-…`). */
  name: z.string(),
  label: z.string(),
  withRam: z.boolean(),
  status: z.enum(SNAPSHOT_STATUSES),
  createdAt: z.string(),
  takenAt: z.string().nullable(),
  /** When the age limit removes it (null until it is taken). */
  expiresAt: z.string().nullable(),
  /** Why Proxmox refused it (status `failed`). */
  failure: z.string().nullable(),
});
export type VmSnapshotDto = z.infer<typeof ZVmSnapshot>;

/**
 * Setting `snapshot_policy` (admins): at most `maxPerVm` snapshots per VM (0 turns snapshots
 * off), each removed `maxAgeDays` days after it was taken.
 */
export const ZSnapshotPolicy = z.strictObject({
  maxPerVm: z.number().int().min(0).max(20),
  maxAgeDays: z.number().int().min(1).max(90),
});
export type SnapshotPolicy = z.infer<typeof ZSnapshotPolicy>;
export const DEFAULT_SNAPSHOT_POLICY: SnapshotPolicy = { maxPerVm: 3, maxAgeDays: 7 };

/**
 * `GET /vms/:id/snapshots` answer: the VM's snapshots that exist or are on their way (oldest
 * first), the policy that limits them, and why the VM's storage cannot snapshot, if known.
 */
export const ZVmSnapshotList = z.object({
  items: z.array(ZVmSnapshot),
  policy: ZSnapshotPolicy,
  unsupported: z.string().nullable(),
});

/** `POST /vms/:id/snapshots` body: an optional label and whether to save the RAM of a running VM. */
export const ZTakeSnapshotBody = z.strictObject({
  label: zText({ max: 200 }).optional(),
  withRam: z.boolean().optional(),
});
export type TakeSnapshotBody = z.infer<typeof ZTakeSnapshotBody>;

/** `POST /vms/:id/snapshots/:snapshotId/rollback` body: start the VM afterwards (default: when it runs now). */
export const ZRollbackSnapshotBody = z.strictObject({ start: z.boolean().optional() });

/** Path of one snapshot of one VM. */
export const ZSnapshotParams = z.strictObject({ id: z.uuid(), snapshotId: z.uuid() });

/** 202 answer of the snapshot routes: the run that carries it out (null when nothing needs Proxmox), and the snapshot. */
export const ZSnapshotRunAnswer = z.object({ runId: z.uuid().nullable(), snapshot: ZVmSnapshot });
