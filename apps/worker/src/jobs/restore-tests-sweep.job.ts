import {
  DEFAULT_RESTORE_TEST_POLICY,
  previousPeriod,
  restorePeriodOf,
  restoreTestDueAt,
  restoreTestFailedMessage,
  restoreTestReportMessage,
  Role,
  ZRestoreTestPolicy,
  type RestoreTestPolicy,
} from '@betang/core';
import {
  activeRestoreTestsPerNode,
  advanceRestoreTest,
  claimedRestoreTestVms,
  claimRestoreTest,
  getSetting,
  heldRestoreTestVmids,
  listActiveRestoreTests,
  listRestoreTestCandidates,
  lockForTransaction,
  notify,
  recordRestoreTestReport,
  restoreTestReportLines,
  setRestoreTestUpid,
  userIdsWithRole,
  withFirstFreeSessionLock,
  type Db,
  type RestoreTestAdvance,
  type RestoreTestCheckRecord,
  type RestoreTestRow,
} from '@betang/db';
import {
  classifyPveError,
  listClusterVms,
  nextFreeVmid,
  PveTaskFailedError,
  readTaskState,
  startRestore,
  vmClient,
  type ClusterVm,
  type PveClient,
  type VmClient,
} from '@betang/proxmox';
import type { JobHandler } from '@betang/queue';
import type { Logger } from 'pino';
import type { WorkerDeps } from '../deps';

type Bilingual = { id: string; en: string };

/** The tag a test VM carries once configured: how a leftover in the test range is recognised. */
export const RESTORE_TEST_TAG = 'betang-restore-test';
/** A VM younger than this has had no night to be backed up in: its test waits (later in the month or the next). */
const NEW_VM_GRACE_MS = 2 * 86_400_000;
/** Start, stop and destroy of a test VM are quick tasks. */
const TASK_MS = 3 * 60_000;
/**
 * A finished test's vmid rests this long before another test gets it, so the task list that a
 * successor reads to find a lost qmrestore answer (tasks since the claim, a minute of clock skew
 * allowed) never shows the previous copy's task.
 */
const VMID_REST_MS = 60 * 60_000;

type SweepDeps = Pick<WorkerDeps, 'db' | 'logger' | 'pve' | 'config'>;
type Sweep = { db: Db; pve: PveClient; logger: Logger; policy: RestoreTestPolicy; pool: string | undefined; now: Date };

function reasonOf(error: unknown): Bilingual {
  if (error instanceof PveTaskFailedError) return error.describe();
  const text = (error instanceof Error ? error.message : String(error)).slice(0, 400);
  return { id: text, en: text };
}

/** Every NIC of `config` moved onto `bridge`, its model and MAC kept (`virtio=AA:..,bridge=vmbr0,tag=12` → `virtio=AA:..,bridge=vmbr9`). */
export function isolatedNics(config: Record<string, unknown>, bridge: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!/^net\d+$/.test(key) || typeof value !== 'string') continue;
    // VLAN tags, rate limits and firewall belong to the institution's network, not to the isolated one.
    const kept = value.split(',').filter((part) => !/^(bridge|tag|trunks|firewall|link_down)=/.test(part));
    out[key] = [...kept, `bridge=${bridge}`].join(',');
  }
  return out;
}

/** Writes the verdict (once) and alerts operators of a failure. */
async function decide(
  s: Sweep,
  row: RestoreTestRow,
  from: RestoreTestRow['stage'],
  verdict: NonNullable<RestoreTestAdvance['verdict']>,
): Promise<void> {
  const moved = await s.db.transaction().execute(async (tx) => {
    if (!(await advanceRestoreTest(tx, row.id, from, { stage: 'cleanup', verdict }, s.now))) return false;
    if (verdict.outcome === 'failed' && verdict.error) {
      const vm = await tx.selectFrom('vms').select(['name', 'vmid', 'institutionId']).where('id', '=', row.vmId).executeTakeFirst();
      if (vm) {
        await notify(tx, {
          ...restoreTestFailedMessage(
            { id: row.id, vmName: vm.name, vmid: vm.vmid ?? 0, institutionId: vm.institutionId, period: row.period },
            verdict.error,
          ),
          recipients: await userIdsWithRole(tx, Role.Operator),
        });
      }
    }
    return true;
  });
  if (moved) s.logger.info({ test: row.id, vm: row.vmId, outcome: verdict.outcome }, 'uji pemulihan diputuskan / test restore decided');
}

/**
 * `restore`: starts the qmrestore when no task of it is known (looking for one first: a worker
 * killed after Proxmox answered left it behind), and once it ended OK moves every NIC onto the
 * isolated bridge, marks the VM as a test copy and starts it.
 */
async function advanceRestore(s: Sweep, row: RestoreTestRow): Promise<void> {
  const vmid = row.testVmid;
  if (vmid === null || row.volid === null) {
    await decide(s, row, 'restore', { outcome: 'failed', error: { id: 'Data uji tidak lengkap.', en: 'Incomplete test record.' } });
    return;
  }
  const vm = vmClient(s.pve, row.node, vmid);
  let upid = row.upid;
  if (!upid) {
    const earlier = await vm.tasksSince('qmrestore', Math.floor(row.startedAt.getTime() / 1000) - 60);
    upid = earlier[0]?.upid ?? null;
    if (!upid) {
      try {
        upid = await startRestore(s.pve, row.node, { vmid, archive: row.volid, unique: true, ...(s.pool ? { pool: s.pool } : {}) });
      } catch (error) {
        // a lost answer may have started it: the next sweep looks for its task before asking again
        if (classifyPveError(error).kind === 'transient') throw error;
        await decide(s, row, 'restore', {
          outcome: 'failed',
          error: { id: `Pemulihan tidak dapat dimulai: ${reasonOf(error).id}`, en: `The restore could not start: ${reasonOf(error).en}` },
        });
        return;
      }
    }
    await setRestoreTestUpid(s.db, row.id, upid);
  }
  try {
    if ((await readTaskState(s.pve, upid)).running) return;
  } catch (error) {
    if (!(error instanceof PveTaskFailedError)) throw error;
    await decide(s, row, 'restore', {
      outcome: 'failed',
      error: { id: `Pemulihan cadangan gagal: ${error.exitstatus}`, en: `Restoring the backup failed: ${error.exitstatus}` },
    });
    return;
  }
  const config = await vm.config();
  await vm.updateConfigNow({
    ...isolatedNics(config, s.policy.bridge),
    name: `uji-pulih-${vmid}`,
    tags: RESTORE_TEST_TAG,
    onboot: 0,
    description: `Salinan uji pemulihan Betang dari ${row.volid}; dihapus otomatis. / Betang test restore of ${row.volid}; removed automatically.`,
  });
  if ((await vm.status()).status !== 'running') await vm.start({ deadlineMs: TASK_MS });
  await advanceRestoreTest(s.db, row.id, 'restore', { stage: 'check' }, s.now);
}

/** `check`: the agent answers and the root filesystem is mounted → ok; nothing by the boot deadline → failed. */
async function advanceCheck(s: Sweep, row: RestoreTestRow): Promise<void> {
  const vm = vmClient(s.pve, row.node, row.testVmid!);
  let lastError: Bilingual;
  try {
    if ((await vm.status()).status !== 'running') throw new Error('the test VM is not running');
    await vm.agent.ping();
    const [filesystems, os] = await Promise.all([vm.agent.fsInfo(), vm.agent.osInfo().catch(() => undefined)]);
    const root = filesystems.find((f) => f.mountpoint === '/');
    const checks: RestoreTestCheckRecord = {
      agent: true,
      os: os?.['pretty-name'] ?? null,
      rootFilesystem: root ? { type: root.type, usedBytes: root['used-bytes'] ?? null, totalBytes: root['total-bytes'] ?? null } : null,
    };
    if (root && (root['total-bytes'] ?? 1) > 0) {
      await decide(s, row, 'check', { outcome: 'ok', checks });
      return;
    }
    await decide(s, row, 'check', {
      outcome: 'failed',
      checks,
      error: {
        id: 'Agen tamu menjawab, tetapi sistem berkas akar (/) tidak terpasang.',
        en: 'The guest agent answers, but the root filesystem (/) is not mounted.',
      },
    });
    return;
  } catch (error) {
    lastError = reasonOf(error);
  }
  const waitedMs = s.now.getTime() - row.stageStartedAt.getTime();
  if (waitedMs < s.policy.bootTimeoutMinutes * 60_000) return;
  await decide(s, row, 'check', {
    outcome: 'failed',
    checks: { agent: false, os: null, rootFilesystem: null },
    error: {
      id: `Agen tamu tidak menjawab dalam ${s.policy.bootTimeoutMinutes} menit setelah salinan dinyalakan (${lastError.id}).`,
      en: `The guest agent did not answer within ${s.policy.bootTimeoutMinutes} minutes of starting the copy (${lastError.en}).`,
    },
  });
}

/**
 * `cleanup`: destroys the test VM — only one this test made (a qmrestore UPID was recorded for
 * it), so a vmid that someone else took is never touched — then `done`.
 */
async function advanceCleanup(s: Sweep, row: RestoreTestRow): Promise<void> {
  if (row.upid && row.testVmid !== null) {
    const vm = vmClient(s.pve, row.node, row.testVmid);
    if (await vm.findConfig()) {
      // a restore still running holds the config lock: its end is awaited before the destroy
      if ((await readTaskState(s.pve, row.upid).catch(() => ({ running: false }))).running) return;
      await destroyCopy(vm);
    }
  }
  await advanceRestoreTest(s.db, row.id, 'cleanup', { stage: 'done' }, s.now);
}

/**
 * Stops and destroys a test copy. The archive brings the original's `protection` flag along
 * (Betang protects every VM it provisions), so it is cleared first. Each call is absolute, so a
 * repeat after a partial run does the rest.
 */
async function destroyCopy(vm: VmClient): Promise<void> {
  const config = await vm.config();
  if (config.protection) await vm.setProtection(false);
  if ((await vm.status()).status === 'running') await vm.stop({ deadlineMs: TASK_MS });
  await vm.destroy({ deadlineMs: TASK_MS });
}

async function advance(s: Sweep, row: RestoreTestRow): Promise<void> {
  if (row.stage === 'restore') return advanceRestore(s, row);
  if (row.stage === 'check') return advanceCheck(s, row);
  if (row.stage === 'cleanup') return advanceCleanup(s, row);
}

/**
 * Destroys test VMs nothing records any more (tagged, in the test range, not held by a live
 * test): what a lost database row or a hand-started copy left. Anything else in the range is
 * only logged — Betang never destroys a VM it cannot prove is its own test copy.
 */
async function sweepLeftovers(s: Sweep, cluster: ClusterVm[]): Promise<number> {
  const held = await heldRestoreTestVmids(s.db, s.now);
  let destroyed = 0;
  for (const vm of cluster) {
    if (vm.vmid < s.policy.vmidMin || vm.vmid > s.policy.vmidMax || held.has(vm.vmid) || vm.template) continue;
    if (!vm.tags.includes(RESTORE_TEST_TAG)) {
      s.logger.warn(
        { vmid: vm.vmid, node: vm.node },
        'VM di rentang uji pemulihan tanpa tanda uji / VM in the test restore range without the test tag',
      );
      continue;
    }
    await destroyCopy(vmClient(s.pve, vm.node, vm.vmid));
    s.logger.info({ vmid: vm.vmid, node: vm.node }, 'sisa uji pemulihan dihapus / test restore leftover destroyed');
    destroyed++;
  }
  return destroyed;
}

/**
 * Claims the VMs whose test of this month is due, within the per-node limit, each with the
 * vmid of its copy recorded in the same transaction as the claim (under one advisory lock, so
 * two workers never pick one vmid or exceed a node's limit). A VM without a successful backup
 * is claimed as failed: that is what the test found.
 */
async function claimDue(s: Sweep, cluster: ClusterVm[]): Promise<number> {
  const period = restorePeriodOf(s.now);
  const due = (await listRestoreTestCandidates(s.db)).filter(
    (c) => s.now.getTime() - c.createdAt.getTime() >= NEW_VM_GRACE_MS && s.now >= restoreTestDueAt(s.policy, period, c.vmId),
  );
  if (due.length === 0) return 0;
  const listed = cluster.map((v) => v.vmid);
  const failedClaims: Array<{ id: string; vm: (typeof due)[number] }> = [];
  const claimed = await s.db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, 'restore-tests.claim');
    const done = await claimedRestoreTestVms(tx, period);
    const perNode = await activeRestoreTestsPerNode(tx);
    const held = await heldRestoreTestVmids(tx, new Date(s.now.getTime() - VMID_REST_MS));
    let n = 0;
    for (const c of due) {
      if (done.has(c.vmId)) continue;
      if (!c.backup) {
        const id = await claimRestoreTest(
          tx,
          {
            vmId: c.vmId,
            period,
            node: '-',
            noBackup: {
              id: 'VPS ini belum punya cadangan yang berhasil untuk diuji.',
              en: 'This VPS has no successful backup to test.',
            },
          },
          s.now,
        );
        if (id) failedClaims.push({ id, vm: c });
        continue;
      }
      const busy = perNode.get(c.backup.node) ?? 0;
      if (busy >= s.policy.perNodeLimit) continue;
      const testVmid = await nextFreeVmid(s.pve, { min: s.policy.vmidMin, max: s.policy.vmidMax, exclude: held, listedVmids: listed });
      const id = await claimRestoreTest(
        tx,
        { vmId: c.vmId, period, node: c.backup.node, testVmid, backupId: c.backup.id, volid: c.backup.volid },
        s.now,
      );
      if (!id) continue;
      held.add(testVmid);
      perNode.set(c.backup.node, busy + 1);
      n++;
    }
    return n;
  });
  for (const f of failedClaims) {
    await notify(s.db, {
      ...restoreTestFailedMessage(
        { id: f.id, vmName: f.vm.name, vmid: f.vm.vmid, institutionId: f.vm.institutionId, period },
        { id: 'VPS ini belum punya cadangan yang berhasil untuk diuji.', en: 'This VPS has no successful backup to test.' },
      ),
      recipients: await userIdsWithRole(s.db, Role.Operator),
    });
  }
  return claimed + failedClaims.length;
}

/**
 * Sends last month's report once every test of it has ended: to the data-center head and the
 * operators, recorded first so a second sweep (or worker) sends nothing.
 */
async function reportLastMonth(s: Sweep): Promise<boolean> {
  const period = previousPeriod(restorePeriodOf(s.now));
  const lines = await restoreTestReportLines(s.db, period);
  if (lines.some((l) => l.test && l.test.stage !== 'done')) return false;
  const tested = lines.filter((l) => l.test !== null);
  if (tested.length === 0) return false;
  const failures = tested.filter((l) => l.test!.outcome === 'failed').map((l) => l.vmName);
  const summary = {
    period,
    vms: lines.length,
    ok: tested.filter((l) => l.test!.outcome === 'ok').length,
    failed: failures.length,
    notTested: lines.length - tested.length,
    failures,
  };
  return s.db.transaction().execute(async (tx) => {
    if (!(await recordRestoreTestReport(tx, period, summary))) return false;
    const recipients = [...(await userIdsWithRole(tx, Role.DcHead)), ...(await userIdsWithRole(tx, Role.Operator))];
    await notify(tx, { ...restoreTestReportMessage(summary), recipients });
    return true;
  });
}

/**
 * One test-restore sweep at `now`, never waiting on Proxmox: moves every live test one stage on
 * (restore → boot on the isolated bridge → agent and filesystem checked → copy destroyed),
 * destroys leftovers, claims the VMs whose test of the month is due, and sends last month's report
 * once. Safe to run twice and on several workers: the whole sweep runs under one session lock,
 * each VM's month is claimed once, each stage moves once, and a test's copy is recorded by vmid
 * before it exists.
 */
export async function sweepRestoreTests(
  deps: SweepDeps,
  now: Date = new Date(),
): Promise<{ ran: boolean; claimed: number; advanced: number; leftovers: number; reported: boolean }> {
  const { db, logger, pve } = deps;
  const none = { ran: false, claimed: 0, advanced: 0, leftovers: 0, reported: false };
  if (!pve) return none;
  const policy = await getSetting(db, 'restore_test_policy', ZRestoreTestPolicy, DEFAULT_RESTORE_TEST_POLICY);
  const s: Sweep = { db, pve, logger, policy, pool: deps.config.PVE_POOL, now };
  const outcome = await withFirstFreeSessionLock(db, ['restore-tests.sweep'], async () => {
    let advanced = 0;
    for (const row of await listActiveRestoreTests(db)) {
      try {
        await advance(s, row);
        advanced++;
      } catch (err) {
        const c = classifyPveError(err);
        logger.warn(
          { err, test: row.id, stage: row.stage, kind: c.kind },
          'uji pemulihan belum dapat dilanjutkan / test restore could not move on yet',
        );
      }
    }
    const cluster = await listClusterVms(pve);
    const leftovers = await sweepLeftovers(s, cluster);
    const claimed = policy.enabled ? await claimDue(s, cluster) : 0;
    const reported = await reportLastMonth(s);
    return { ran: true, claimed, advanced, leftovers, reported };
  });
  return outcome.ran ? outcome.value : none;
}

/** `backups.test-restore`: the monthly test restores (see sweepRestoreTests for why running it twice is safe). */
export function restoreTestsSweepJob(deps: WorkerDeps): JobHandler<'backups.test-restore'> {
  return async () => {
    const result = await sweepRestoreTests(deps);
    if (result.claimed + result.leftovers > 0 || result.reported)
      deps.logger.info(result, 'uji pemulihan terjadwal / scheduled test restores');
    return result;
  };
}
