import { appendAudit, transitionRequest, transitionVm, updateVm } from '@betang/db';
import { PveTaskFailedError, waitForTask, type VmClient } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import { bootDisk } from '../pve-vm';
import { actionStep, type ActionCtx } from './action-context';
import { locateStep } from './locate.step';

/** The snapshot row a snapshot run works on; a run whose row is gone or belongs to another VM is a permanent error. */
async function snapshotRow(ctx: ActionCtx) {
  const id = ctx.params.snapshotId;
  const row = id
    ? await ctx.deps.db.selectFrom('vmSnapshots').selectAll().where('id', '=', id).where('vmId', '=', ctx.vm.id).executeTakeFirst()
    : undefined;
  if (!row)
    throw permanent('SNAPSHOT_UNKNOWN', {
      id: 'Run ini tidak merujuk snapshot VM ini.',
      en: 'This run does not refer to a snapshot of this VM.',
    });
  return row;
}

function located(ctx: ActionCtx, at: { node: string | null; vmid: number }): VmClient {
  if (!at.node) throw new Error('snapshot steps need a located VM');
  return ctx.pve.vm(at.node, at.vmid);
}

/** Which disks stand on storage that cannot snapshot, for the refusal's text. */
async function unsupportedText(vm: VmClient): Promise<{ id: string; en: string }> {
  const cfg = await vm.config({ current: true }).catch(() => undefined);
  const disks = Object.entries(cfg ?? {})
    .filter(([k, v]) => /^(scsi|virtio|sata|ide|efidisk|tpmstate)\d+$/.test(k) && typeof v === 'string' && !v.includes('media=cdrom'))
    .map(([k, v]) => `${k} (${String(v).split(',')[0] ?? ''})`);
  const where = disks.join(', ') || '?';
  return {
    id: `Storage VM ini tidak mendukung snapshot: ${where}. Proxmox hanya dapat mengambil snapshot pada LVM-thin, ZFS, Ceph RBD, atau image qcow2 (bukan raw di storage direktori/NFS, bukan LVM biasa). Pindahkan disk ke storage yang mendukung snapshot, atau gunakan cadangan.`,
    en: `This VM's storage cannot snapshot: ${where}. Proxmox takes snapshots only on LVM-thin, ZFS, Ceph RBD or qcow2 images (not raw on a directory/NFS storage, not thick LVM). Move the disk to a storage that can snapshot, or rely on backups.`,
  };
}

/**
 * `snapshot`: takes the snapshot named in the run's row. Safe to repeat: a snapshot of that name
 * already complete on Proxmox is the earlier attempt's and is kept (names are Betang's own,
 * unique per VM); one left half-way (`snapstate`) is refused for an operator. A storage that
 * cannot snapshot fails for good with a text naming the disks.
 */
export const takeSnapshotStep = actionStep<{ withRam: boolean }>({
  key: 'snapshot',
  weight: 70,
  label: { id: 'ambil snapshot', en: 'take the snapshot' },
  async run({ ctx, output, signal }) {
    const row = await snapshotRow(ctx);
    const vm = located(ctx, output(locateStep));
    const find = async () => (await vm.snapshots()).snapshots.find((s) => s.name === row.name);
    const before = await find();
    if (before?.snapstate)
      throw permanent('SNAPSHOT_INCOMPLETE', {
        id: `Snapshot ${row.name} tertinggal setengah jalan di Proxmox (snapstate ${before.snapstate}); operator perlu menghapusnya (qm delsnapshot --force).`,
        en: `Snapshot ${row.name} was left half-way on Proxmox (snapstate ${before.snapstate}); an operator must remove it (qm delsnapshot --force).`,
      });
    if (before) return { skipped: true, result: { withRam: before.vmstate === true }, detail: `${row.name} sudah ada / already there` };
    try {
      await vm.takeSnapshot(
        row.name,
        { vmstate: row.withRam, ...(row.label ? { description: row.label } : {}) },
        { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal },
      );
    } catch (err) {
      if (err instanceof PveTaskFailedError && err.exitstatus === 'snapshot feature is not available')
        throw permanent('SNAPSHOT_UNSUPPORTED', await unsupportedText(vm));
      throw err;
    }
    const after = await find();
    return { result: { withRam: after?.vmstate === true }, detail: `${row.name}${after?.vmstate ? ' +RAM' : ''}` };
  },
});

/**
 * `rollback`: rolls the VM back to the run's snapshot, starting it afterwards when asked (a
 * snapshot with RAM resumes it anyway). Exactly once: a rollback of this VM this token started
 * since the run was created is the earlier attempt's — waited for when still running, and then
 * not sent again (a second rollback would throw away what happened since the first).
 */
export const rollbackSnapshotStep = actionStep<{ status: 'running' | 'stopped'; cores?: number; memoryMiB?: number; diskGiB?: number }>({
  key: 'rollback',
  weight: 70,
  label: { id: 'kembalikan ke snapshot', en: 'roll back to the snapshot' },
  async run({ ctx, run, output, signal }) {
    const row = await snapshotRow(ctx);
    const vm = located(ctx, output(locateStep));
    const task = { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal };
    const earlier = await vm.tasksSince('qmrollback', run.createdAt.getTime() / 1000 - 5);
    let detail = `${row.name}`;
    if (earlier.length > 0) {
      const last = earlier[0];
      if (last && last.status === 'RUNNING') await waitForTask(ctx.pve, last.upid, task);
      detail = `${row.name}: rollback sebelumnya / earlier rollback ${last?.upid ?? ''}`;
    } else {
      if (!(await vm.snapshots()).snapshots.some((s) => s.name === row.name))
        throw permanent('SNAPSHOT_GONE', {
          id: `Snapshot ${row.name} tidak ada lagi di Proxmox.`,
          en: `Snapshot ${row.name} no longer exists on Proxmox.`,
        });
      await vm.rollbackSnapshot(row.name, { start: ctx.params.start === true }, task);
    }
    const status = (await vm.status()).status;
    // The snapshot may predate a change: the VM now has the sizes it had then.
    const cfg = await vm.config({ current: true });
    const disk = bootDisk(cfg);
    return {
      result: {
        status,
        ...(cfg.cores !== undefined ? { cores: cfg.cores } : {}),
        ...(cfg.memory !== undefined ? { memoryMiB: cfg.memory } : {}),
        ...(disk ? { diskGiB: Math.ceil(disk.sizeBytes / 1024 ** 3) } : {}),
      },
      detail: `${detail} → ${status}`,
    };
  },
});

/** `delete-snapshot`: removes the run's snapshot; one already gone counts as removed, so it is safe to repeat. */
export const deleteSnapshotStep = actionStep({
  key: 'delete-snapshot',
  weight: 70,
  label: { id: 'hapus snapshot', en: 'delete the snapshot' },
  async run({ ctx, output, signal }) {
    const row = await snapshotRow(ctx);
    const vm = located(ctx, output(locateStep));
    if (!(await vm.snapshots()).snapshots.some((s) => s.name === row.name))
      return { skipped: true, detail: `${row.name} sudah tidak ada / already gone` };
    await vm.deleteSnapshot(row.name, { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    return { detail: row.name };
  },
});

/**
 * `record`: the snapshot row's new status (taken → present, deleted → deleted; a rollback moves
 * the VM's state and sizes to what Proxmox reports) with its audit entry, in one transaction. Status moves
 * are guarded by the row's current status, so a second run changes nothing.
 */
export const recordSnapshotStep = actionStep({
  key: 'record',
  weight: 20,
  label: { id: 'catat hasil', en: 'record the outcome' },
  async run({ ctx, run, output }) {
    const row = await snapshotRow(ctx);
    const { vm, kind } = ctx;
    let action = 'vm.snapshot_taken';
    await ctx.deps.db.transaction().execute(async (tx) => {
      if (kind === 'snapshot') {
        const { withRam } = output(takeSnapshotStep);
        await tx
          .updateTable('vmSnapshots')
          .set({ status: 'present', takenAt: new Date(), withRam })
          .where('id', '=', row.id)
          .where('status', '=', 'creating')
          .execute();
        await tx.updateTable('vms').set({ snapshotsUnsupported: null }).where('id', '=', vm.id).execute();
      } else if (kind === 'snapshot_rollback') {
        action = 'vm.snapshot_rolled_back';
        const { status, cores, memoryMiB, diskGiB } = output(rollbackSnapshotStep);
        await transitionVm(tx, vm.id, ['running', 'stopped'], status, { onMismatch: 'skip' });
        await updateVm(tx, vm.id, { ...(cores ? { cores } : {}), ...(memoryMiB ? { memoryMiB } : {}), ...(diskGiB ? { diskGiB } : {}) });
        // The request follows the VM's power as a stop or start run moves it.
        if (status === 'stopped')
          await transitionRequest(tx, vm.requestId, ['active', 'expiring'], 'stopped', { reason: null, onMismatch: 'skip' });
        else await transitionRequest(tx, vm.requestId, ['stopped'], 'active', { reason: null, onMismatch: 'skip' });
      } else {
        action = 'vm.snapshot_deleted';
        await tx
          .updateTable('vmSnapshots')
          .set({ status: 'deleted', deletedAt: new Date() })
          .where('id', '=', row.id)
          .where('status', '=', 'deleting')
          .execute();
      }
      await appendAudit(tx, {
        actorUserId: run.requestedBy,
        actorLabel: 'worker',
        institutionId: vm.institutionId,
        action,
        targetType: 'vm',
        targetId: vm.id,
        after: { vmid: vm.vmid, runId: run.id, snapshot: row.name, label: row.label },
      });
    });
    return { detail: action };
  },
});
