import { bilingualDetail } from '@betang/core';
import type { RunRow } from '@betang/db';
import { backupClient, inspectVmid, PveApiError, PveTaskFailedError, waitForTask, type VmClient } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import { awaitPowerState } from '../await-power-state';
import { bootDisk } from '../pve-vm';
import { ownershipOf } from '../vm-ownership-proof';
import { clearProtection } from '../vm-protection';
import { actionStep, type ActionCtx } from './action-context';
import { locateStep } from './locate.step';

/** The backup a restore run restores: one of this VM's, finished OK with an archive. */
async function backupRow(ctx: ActionCtx): Promise<{ id: string; volid: string; storage: string; backupDate: string }> {
  const id = ctx.params.backupId;
  const row = id
    ? await ctx.deps.db
        .selectFrom('vmBackups')
        .select(['id', 'volid', 'storage', 'backupDate', 'outcome'])
        .where('id', '=', id)
        .where('vmId', '=', ctx.vm.id)
        .executeTakeFirst()
    : undefined;
  if (!row || row.outcome !== 'ok' || !row.volid)
    throw permanent('BACKUP_UNKNOWN', {
      id: 'Run ini tidak merujuk cadangan VM ini yang selesai dengan baik.',
      en: 'This run does not refer to a successful backup of this VM.',
    });
  return { id: row.id, volid: row.volid, storage: row.storage, backupDate: String(row.backupDate) };
}

function located(at: { node: string | null; vmid: number }): { node: string; vmid: number } {
  if (!at.node) throw new Error('restore steps need a located VM');
  return { node: at.node, vmid: at.vmid };
}

/**
 * Where this run's own qmrestore tasks begin: its creation (less a few seconds of clock skew
 * between Betang and the node), but never before the previous restore run of the VM ended — its
 * task is not this run's.
 */
async function restoreWindowStart(ctx: ActionCtx, run: RunRow): Promise<number> {
  const previous = await ctx.deps.db
    .selectFrom('provisioningRuns')
    .select((eb) => eb.fn.max('finishedAt').as('endedAt'))
    .where('vmId', '=', ctx.vm.id)
    .where('kind', '=', 'restore')
    .where('id', '<>', run.id)
    .where('finishedAt', 'is not', null)
    .where('createdAt', '<=', run.createdAt)
    .executeTakeFirst();
  const created = run.createdAt.getTime() / 1000 - 5;
  const ended = previous?.endedAt ? new Date(previous.endedAt).getTime() / 1000 : 0;
  return Math.max(created, ended);
}

/**
 * This run's earlier `qmrestore` of the VM, if any: waited for while it runs. A restore that
 * ended OK must not be sent again (a second one would throw away what happened since).
 */
async function earlierRestore(ctx: ActionCtx, vm: VmClient, run: RunRow, signal: AbortSignal | undefined) {
  const since = await restoreWindowStart(ctx, run);
  const first = (await vm.tasksSince('qmrestore', since))[0];
  if (first?.status === 'RUNNING') {
    await waitForTask(ctx.pve, first.upid, { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, ...(signal ? { signal } : {}) }).catch(
      (err: unknown) => {
        if (!(err instanceof PveTaskFailedError)) throw err;
      },
    );
    return (await vm.tasksSince('qmrestore', since))[0];
  }
  return first;
}

/**
 * `stop-before-restore`: proves the VM is Betang's (marker or recorded SMBIOS uuid, as destroy
 * does: a restore replaces its disks), then stops it hard — its disks are about to be replaced,
 * so there is nothing to shut down cleanly for. Safe to repeat: a stopped VM is left as it is, a
 * restore of this run still running is waited for first, and whether the VM ran before comes from
 * Betang's record too (not only from Proxmox, where an earlier attempt may have stopped it).
 */
export const stopBeforeRestoreStep = actionStep<{ wasRunning: boolean }>({
  key: 'stop-before-restore',
  weight: 10,
  label: { id: 'matikan VM sebelum pemulihan', en: 'stop the VM before the restore' },
  async run({ ctx, run, output, signal }) {
    const { node, vmid } = located(output(locateStep));
    const vm = ctx.pve.vm(node, vmid);
    // a restore of this run still holding `lock: create` is waited for, not taken for a stranger's lock
    await earlierRestore(ctx, vm, run, signal);
    const seen = await inspectVmid(ctx.pve, vmid, ctx.marker ?? '', signal ? { signal } : undefined);
    if (seen.state !== 'absent' && !ownershipOf(seen, ctx.vm.smbiosUuid))
      throw permanent(
        'NOT_OURS',
        {
          id: `VM ${vmid} di node ${node} tidak dapat dibuktikan milik Betang (${seen.lock ? `terkunci ${seen.lock}` : seen.state}); tidak dipulihkan. Operator harus memeriksanya.`,
          en: `VM ${vmid} on node ${node} cannot be proven Betang's (${seen.lock ? `locked ${seen.lock}` : seen.state}); not restored. An operator must check it.`,
        },
        { node, vmid },
      );
    const status = (await vm.status()).status;
    // Betang's record says whether the VM ran before this run: an attempt killed right after its
    // stop finds the VM stopped, but the VM must still come back up after the restore.
    const wasRunning = status === 'running' || ctx.vm.state === 'running';
    if (status === 'stopped')
      return { skipped: true, result: { wasRunning }, detail: bilingualDetail({ id: 'sudah mati', en: 'already stopped' }) };
    const deadlineMs = ctx.settings.PVE_TASK_SECONDS * 1000;
    await vm.stop({ deadlineMs, ...(signal ? { signal } : {}) });
    await awaitPowerState(vm, 'stopped', deadlineMs, signal);
    return { result: { wasRunning }, detail: bilingualDetail({ id: 'dimatikan', en: 'stopped' }) };
  },
});

/** The sizes the restored config gives the VM (a backup may predate a change). */
type Restored = { cores?: number; memoryMiB?: number; diskGiB?: number };

/**
 * `restore`: `qmrestore` of the run's backup over the VM's own vmid (`force=1`; no `unique`, so
 * the VM keeps its MAC address, SMBIOS uuid and Betang's marker), then `protection` back on.
 * Exactly once: a qmrestore of this vmid since the run was created is the earlier attempt's —
 * waited for when running, not sent again when it ended OK, sent again when it failed (a failed
 * restore leaves the VM without disks; only a new restore repairs it).
 */
export const restoreBackupStep = actionStep<Restored>({
  key: 'restore',
  weight: 60,
  label: { id: 'pulihkan dari cadangan', en: 'restore from the backup' },
  async run({ ctx, run, output, signal }) {
    const backup = await backupRow(ctx);
    const { node, vmid } = located(output(locateStep));
    const vm = ctx.pve.vm(node, vmid);
    const task = { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, ...(signal ? { signal } : {}) };
    const earlier = await earlierRestore(ctx, vm, run, signal);
    let detail = backup.volid;
    if (earlier?.status === 'OK') {
      detail = `${backup.volid}: pemulihan sebelumnya / earlier restore ${earlier.upid}`;
    } else {
      // PVE refuses to restore over a protected VM; the flag is set again below.
      await clearProtection(vm, await vm.config({ current: true }).catch(() => undefined), signal);
      try {
        await backupClient(ctx.pve).restore(node, { vmid, archive: backup.volid, force: true }, task);
      } catch (err) {
        if (err instanceof PveApiError && /can't find file|does not exist|not available on node/.test(err.message))
          throw permanent(
            'BACKUP_ARCHIVE_MISSING',
            {
              id: `Arsip cadangan ${backup.volid} tidak terbaca dari node ${node}: ${err.message}`,
              en: `The backup archive ${backup.volid} cannot be read from node ${node}: ${err.message}`,
            },
            { node, vmid, volid: backup.volid },
          );
        if (err instanceof PveTaskFailedError)
          throw permanent(
            'RESTORE_FAILED',
            {
              id: `Pemulihan ${backup.volid} gagal di Proxmox: ${err.exitstatus}. VM mungkin tertinggal tanpa disk; jalankan pemulihan lagi.`,
              en: `Restoring ${backup.volid} failed on Proxmox: ${err.exitstatus}. The VM may be left without disks; run the restore again.`,
            },
            { node, vmid, upid: err.upid },
          );
        throw err;
      }
    }
    await vm.setProtection(true, signal ? { signal } : undefined);
    const cfg = await vm.config({ current: true });
    const disk = bootDisk(cfg);
    return {
      result: {
        ...(cfg.cores !== undefined ? { cores: cfg.cores } : {}),
        ...(cfg.memory !== undefined ? { memoryMiB: cfg.memory } : {}),
        ...(disk ? { diskGiB: Math.ceil(disk.sizeBytes / 1024 ** 3) } : {}),
      },
      detail,
    };
  },
});

/** `start-after-restore`: starts the VM again when it ran before the restore. Safe to repeat: a running VM is left as it is. */
export const startAfterRestoreStep = actionStep<{ status: 'running' | 'stopped' }>({
  key: 'start-after-restore',
  weight: 15,
  label: { id: 'nyalakan VM setelah pemulihan', en: 'start the VM after the restore' },
  async run({ ctx, output, signal }) {
    const { node, vmid } = located(output(locateStep));
    const vm = ctx.pve.vm(node, vmid);
    if (!output(stopBeforeRestoreStep).wasRunning)
      return { skipped: true, result: { status: 'stopped' }, detail: bilingualDetail({ id: 'tetap mati', en: 'left stopped' }) };
    if ((await vm.status()).status === 'running')
      return { skipped: true, result: { status: 'running' }, detail: bilingualDetail({ id: 'sudah berjalan', en: 'already running' }) };
    const deadlineMs = ctx.settings.PVE_TASK_SECONDS * 1000;
    await vm.start({ deadlineMs, ...(signal ? { signal } : {}) });
    await awaitPowerState(vm, 'running', deadlineMs, signal);
    return { result: { status: 'running' }, detail: bilingualDetail({ id: 'dinyalakan', en: 'started' }) };
  },
});
