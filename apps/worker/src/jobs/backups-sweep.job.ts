import { DEFAULT_BACKUP_POLICY, ZBackupPolicy, ZEmailMessage, dueAt, openWindow, type BackupClassPolicy } from '@betang/core';
import {
  claimBackup,
  claimedBackupDays,
  enqueueEmail,
  finishBackup,
  getSetting,
  listBackupCandidates,
  listRunningBackups,
  lockForTransaction,
  operatorEmails,
  runningBackupsPerNode,
  setBackupUpid,
  type BackupCandidate,
  type BackupEnd,
  type Db,
  type VmBackupRow,
} from '@betang/db';
import { PveTaskFailedError, backupClient, vmClient, type BackupClient, type PveClient } from '@betang/proxmox';
import type { JobHandler } from '@betang/queue';
import type { Logger } from 'pino';
import type { WorkerDeps } from '../deps';

/**
 * A claimed backup without UPID and without any vzdump task of its VM on the node this long
 * after its claim never started: PVE answers the vzdump POST as soon as the task is forked, and
 * a request cut off by a dead worker or a proxy timeout (595) has reached the node by then.
 */
const UNSTARTED_AFTER_MS = 2 * 60_000;
/** Tolerated clock difference between this worker and the node when listing its tasks. */
const CLOCK_SLACK_SECONDS = 5;
/** Pruning is quick. */
const PRUNE_TASK_MS = 5 * 60_000;

type Bilingual = { id: string; en: string };

/** The reason people read, from what the vzdump or the client threw. */
function reasonOf(error: unknown): Bilingual {
  if (error instanceof PveTaskFailedError) {
    return {
      id: `Tugas vzdump di ${error.node} gagal: ${error.exitstatus}`,
      en: `The vzdump task on ${error.node} failed: ${error.exitstatus}`,
    };
  }
  const text = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  return { id: `Pencadangan gagal: ${text}`, en: `Backup failed: ${text}` };
}

/** The operators' notice of a failed backup; one per backup (dedup key). */
async function alertOperators(
  db: Db,
  row: { id: string; name: string; node: string; vmid: number; storage: string },
  reason: Bilingual,
): Promise<void> {
  const to = await operatorEmails(db);
  if (to.length === 0) return;
  const message = ZEmailMessage.parse({
    to,
    locale: 'id',
    subject: { id: `Pencadangan VPS ${row.name} gagal`, en: `Backup of VPS ${row.name} failed` },
    text: {
      id: `${reason.id}\n\nVM ${row.vmid} di node ${row.node}, storage ${row.storage}. Pencadangan berikutnya dicoba pada jendela malam berikutnya; bila perlu, jalankan vzdump secara manual.`,
      en: `${reason.en}\n\nVM ${row.vmid} on node ${row.node}, storage ${row.storage}. The next backup is tried in the next night's window; run vzdump by hand if needed.`,
    },
    reason: `vm_backup:${row.id}:failed`,
  });
  await enqueueEmail(db, message, `vm_backup:${row.id}:failed`);
}

/** A claimed backup, ready to run. */
type Claimed = { id: string; vm: BackupCandidate; policy: BackupClassPolicy };

/**
 * Claims the due backups at `now` within the per-node limit: under one advisory lock, counts the
 * backups running per node and inserts a `running` row for each due VM while its node has room.
 * A VM whose day is claimed already (any outcome) or whose request has a live run is skipped.
 */
async function claimDue(db: Db, now: Date, perNodeLimit: number, classes: Record<string, BackupClassPolicy>): Promise<Claimed[]> {
  const candidates = await listBackupCandidates(db);
  const due = candidates.flatMap((vm) => {
    const policy = classes[vm.classification];
    const window = policy && openWindow(policy, now);
    if (!policy || !window || vm.busy || now < dueAt(window, vm.vmId)) return [];
    return [{ vm, policy, backupDate: window.backupDate, due: dueAt(window, vm.vmId) }];
  });
  if (due.length === 0) return [];
  // earliest due first, so a node that is behind catches up in order
  due.sort((a, b) => a.due.getTime() - b.due.getTime());
  return db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, 'backups.claim');
    const claimed = await claimedBackupDays(tx, [...new Set(due.map((d) => d.backupDate))]);
    const running = await runningBackupsPerNode(tx);
    const out: Claimed[] = [];
    for (const d of due) {
      if (claimed.has(`${d.vm.vmId}:${d.backupDate}`)) continue;
      const busy = running.get(d.vm.node) ?? 0;
      if (busy >= perNodeLimit) continue;
      const id = await claimBackup(tx, {
        vmId: d.vm.vmId,
        backupDate: d.backupDate,
        node: d.vm.node,
        vmid: d.vm.vmid,
        storage: d.policy.storage,
      });
      if (!id) continue;
      running.set(d.vm.node, busy + 1);
      out.push({ id, vm: d.vm, policy: d.policy });
    }
    return out;
  });
}

/** Starts one claimed backup's vzdump and records its UPID; a refusal ends the row as failed. */
async function startBackup(db: Db, backups: BackupClient, logger: Logger, c: Claimed): Promise<boolean> {
  const { vm, policy } = c;
  try {
    const upid = await backups.start(vm.node, {
      vmid: vm.vmid,
      storage: policy.storage,
      mode: policy.mode ?? 'snapshot',
      notesTemplate: '{{guestname}}',
    });
    await setBackupUpid(db, c.id, upid);
    return true;
  } catch (error) {
    const reason = reasonOf(error);
    logger.warn({ vm: vm.vmId, vmid: vm.vmid, node: vm.node, err: reason.en }, 'pencadangan tidak dapat dimulai / backup could not start');
    if (await finishBackup(db, c.id, { outcome: 'failed', error: reason })) {
      await alertOperators(db, { id: c.id, name: vm.name, node: vm.node, vmid: vm.vmid, storage: policy.storage }, reason);
    }
    return false;
  }
}

/**
 * Settles one `running` backup from what Proxmox holds: its task still running → left for the
 * next sweep; ended OK → `ok` with the archive, then the VM's backups pruned by its class's
 * retention; ended in error → `failed` with the guest's own error and the operators told. A row
 * without UPID (its worker died around the vzdump POST) takes the UPID of the VM's vzdump task
 * started since the claim, so a backup that did start is followed to its end and never left as
 * an archive Betang does not record; with no such task long after the claim it is `ok` if the
 * storage holds a backup made since, else `failed` as interrupted. Each end is written once
 * (only a `running` row is updated), so two sweeps settling the same row alert once.
 */
async function settle(
  db: Db,
  pve: PveClient,
  backups: BackupClient,
  row: VmBackupRow,
  name: string,
  policy: BackupClassPolicy | undefined,
  now: Date,
): Promise<'running' | 'ok' | 'failed'> {
  const target = { id: row.id, name, node: row.node, vmid: row.vmid, storage: row.storage };
  let end: BackupEnd;
  if (!row.upid) {
    // A worker killed between vzdump's answer and recording its UPID: the task is on the node.
    // The claim keeps other sweeps from starting another, so the newest since the claim is it.
    const claimedAt = Math.floor(row.startedAt.getTime() / 1000) - CLOCK_SLACK_SECONDS;
    const started = (await vmClient(pve, row.node, row.vmid).tasksSince('vzdump', claimedAt))[0];
    if (started) {
      await setBackupUpid(db, row.id, started.upid);
      return settle(db, pve, backups, { ...row, upid: started.upid }, name, policy, now);
    }
    if (now.getTime() - row.startedAt.getTime() < UNSTARTED_AFTER_MS) return 'running';
    const since = Math.floor(row.startedAt.getTime() / 1000);
    const made = (await backups.list(row.node, row.storage, row.vmid)).filter((v) => v.ctime >= since).pop();
    end = made
      ? { outcome: 'ok', volid: made.volid, sizeBytes: made.size, durationSeconds: 0, upid: 'unknown' }
      : {
          outcome: 'failed',
          error: {
            id: 'Pencadangan terputus: worker berhenti sebelum vzdump dimulai.',
            en: 'Backup interrupted: the worker stopped before vzdump started.',
          },
        };
  } else {
    try {
      const result = await backups.outcome(row.node, row.upid, row.vmid, row.storage);
      if (!result) return 'running';
      // stop and suspend modes take the guest down for a while: the owner sees for how long
      const downtimeSeconds = await backups.downtime(row.node, result.upid);
      end = {
        outcome: 'ok',
        volid: result.volid,
        sizeBytes: result.size,
        durationSeconds: result.durationSec,
        upid: result.upid,
        downtimeSeconds,
      };
    } catch (error) {
      if (!(error instanceof PveTaskFailedError)) throw error;
      end = { outcome: 'failed', error: reasonOf(error), upid: row.upid };
    }
  }
  if (end.outcome === 'ok' && policy) {
    try {
      const keep = { keepDaily: policy.keepDaily, keepWeekly: policy.keepWeekly, keepMonthly: policy.keepMonthly };
      await backups.prune(row.node, row.storage, row.vmid, keep, { deadlineMs: PRUNE_TASK_MS });
    } catch (error) {
      const r = reasonOf(error);
      end = { ...end, error: { id: `Cadangan dibuat, tetapi pemangkasan gagal: ${r.id}`, en: `Backup made, but pruning failed: ${r.en}` } };
    }
  }
  if ((await finishBackup(db, row.id, end, now)) && end.error) await alertOperators(db, target, end.error);
  return end.outcome;
}

/**
 * One backup sweep at `now`, never waiting for a backup: settles every running backup from its
 * Proxmox task (ended ones recorded and pruned, failures alerted), then claims each VM whose
 * backup is due in its class's window — at most `perNodeLimit` running per node, counted across
 * workers — and starts its vzdump. Safe to run twice: a VM's day is claimed once, a row ends once.
 */
export async function sweepBackups(
  deps: Pick<WorkerDeps, 'db' | 'logger' | 'pve'>,
  now: Date = new Date(),
): Promise<{ started: number; ok: number; failed: number }> {
  const { db, logger, pve } = deps;
  if (!pve) return { started: 0, ok: 0, failed: 0 };
  const backups = backupClient(pve);
  const policy = await getSetting(db, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY);
  let ok = 0;
  let failed = 0;
  const candidates = new Map((await listBackupCandidates(db)).map((c) => [c.vmId, c]));
  for (const row of await listRunningBackups(db)) {
    const vm = candidates.get(row.vmId);
    try {
      const r = await settle(db, pve, backups, row, vm?.name ?? String(row.vmid), vm && policy.classes[vm.classification], now);
      if (r === 'ok') ok++;
      if (r === 'failed') failed++;
    } catch (err) {
      logger.warn({ err, backup: row.id }, 'status pencadangan belum terbaca / backup status not read yet');
    }
  }
  let started = 0;
  for (const c of await claimDue(db, now, policy.perNodeLimit, policy.classes)) {
    if (await startBackup(db, backups, logger, c)) started++;
    else failed++;
  }
  return { started, ok, failed };
}

/** `backups.sweep`: the nightly backups (see sweepBackups for why running it twice is safe). */
export function backupsSweepJob(deps: WorkerDeps): JobHandler<'backups.sweep'> {
  return async () => {
    const result = await sweepBackups(deps);
    if (result.started + result.ok + result.failed > 0) deps.logger.info(result, 'pencadangan terjadwal / scheduled backups');
    return result;
  };
}
