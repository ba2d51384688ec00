import {
  backupClient,
  clusterSnapshot,
  inspectVmid,
  nextFreeVmid,
  PveApiError,
  PveTaskFailedError,
  waitForTask,
  type PveClient,
} from '@betang/proxmox';
import { heldVmids, lockVmidAllocation, updateVm } from '@betang/db';
import type { RunRow } from '@betang/db';
import type { Logger } from 'pino';
import { permanent } from '../harness/run-error';
import { withCloneSlot } from './clone-slot';
import type { ProvisionCtx } from './provision-context';
import { vmDescription } from './vm-spec';

type Restored = { vmid: number; node: string; adopted: boolean };
type Task = { upid: string; status: string; starttime: number };

/** Clock skew allowed between Betang and the node when looking for this request's earlier tasks. */
const SKEW_SECONDS = 5;

/** The backup a restore-into-new request restores, finished OK with an archive; otherwise a permanent error. */
function archiveOf(ctx: ProvisionCtx): { backupId: string; volid: string; storage: string; node: string } {
  const from = ctx.data.restoreFrom;
  if (!from || from.outcome !== 'ok' || !from.volid)
    throw permanent('BACKUP_UNKNOWN', {
      id: 'Permohonan ini tidak merujuk cadangan yang selesai dengan baik.',
      en: 'This request does not refer to a successful backup.',
    });
  return { backupId: from.backupId, volid: from.volid, storage: from.storage, node: from.node };
}

/**
 * Where the restore runs: the placed node when it can read the archive — the backup storage is
 * shared there, or the placed node is the one the backup was made on — else the node the backup
 * was made on. A node-local storage such as `local` has the same id on every node, but each
 * node's copy holds only that node's archives.
 */
async function restoreNode(
  ctx: ProvisionCtx,
  placed: string,
  archive: { storage: string; node: string },
  signal: AbortSignal,
): Promise<string> {
  const { nodes } = await clusterSnapshot(ctx.pve, { signal });
  const readable = nodes
    .find((n) => n.node === placed)
    ?.storages.some((s) => s.storage === archive.storage && (s.shared || placed === archive.node));
  return readable ? placed : archive.node;
}

/** Since when a qmrestore at the request's vmid is the request's own: its first provision run's creation. */
async function requestWindowStart(ctx: ProvisionCtx, run: RunRow): Promise<number> {
  const first = await ctx.deps.db
    .selectFrom('provisioningRuns')
    .select((eb) => eb.fn.min('createdAt').as('createdAt'))
    .where('requestId', '=', run.requestId)
    .where('kind', '=', 'provision')
    .executeTakeFirst();
  const at = first?.createdAt ? new Date(first.createdAt) : run.createdAt;
  return Math.floor(at.getTime() / 1000) - SKEW_SECONDS;
}

/**
 * The latest qmrestore at `vmid` on `node` since `since` (the vmid is reserved for this request
 * in Betang, so such a task is this request's); a running one is waited for first.
 */
async function ownLatestRestore(
  ctx: ProvisionCtx,
  node: string,
  vmid: number,
  since: number,
  signal: AbortSignal,
): Promise<Task | undefined> {
  const vm = ctx.pve.vm(node, vmid);
  const ours = async () => (await vm.tasksSince('qmrestore', since, { signal }))[0];
  const first = await ours();
  if (first?.status !== 'RUNNING') return first;
  await waitForTask(ctx.pve, first.upid, { deadlineMs: ctx.settings.PVE_CLONE_TASK_SECONDS * 1000, signal }).catch((err: unknown) => {
    if (!(err instanceof PveTaskFailedError)) throw err;
  });
  return ours();
}

/**
 * Writes this run's owner marker over the description the archive brought (the source VM's, with
 * its marker): from here on the VM is this run's for every ownership check (adoption, rollback,
 * reconcile). Absolute value: writing it twice changes nothing.
 */
async function claim(ctx: ProvisionCtx, pve: PveClient, node: string, vmid: number, signal: AbortSignal): Promise<void> {
  await pve
    .vm(node, vmid)
    .updateConfig(
      { name: ctx.data.request.hostname, description: `${vmDescription(ctx)}\n${ctx.marker}` },
      { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal },
    );
}

/** True when the VM at `vmid` carries the marker of an earlier provision run of the same request (an operator's retry). */
async function ownedByEarlierRun(ctx: ProvisionCtx, vmid: number, signal: AbortSignal): Promise<boolean> {
  for (const marker of ctx.previousMarkers) if ((await inspectVmid(ctx.pve, vmid, marker, { signal })).state === 'ours') return true;
  return false;
}

/** Moves the reservation to the next free vmid when a VM that is not this request's holds the reserved one. */
async function moveReservation(ctx: ProvisionCtx, vmId: string): Promise<number> {
  const range = { min: ctx.settings.PVE_VMID_MIN, max: ctx.settings.PVE_VMID_MAX };
  return ctx.deps.db.transaction().execute(async (tx) => {
    await lockVmidAllocation(tx);
    const vmid = await nextFreeVmid(ctx.pve, { ...range, exclude: await heldVmids(tx, range, ctx.settings.VMID_REUSE_DAYS) });
    // recorded before the restore starts: a retry after a crash looks at this vmid, never the old one
    await updateVm(tx, vmId, { vmid });
    return vmid;
  });
}

/** PVE's words for an archive the node cannot read, or a failed restore task, as the run's permanent errors. */
function explain(err: unknown, volid: string, node: string, vmid: number): unknown {
  if (err instanceof PveApiError && /can't find file|does not exist|not available on node/.test(err.message))
    return permanent(
      'BACKUP_ARCHIVE_MISSING',
      {
        id: `Arsip cadangan ${volid} tidak terbaca dari node ${node}: ${err.message}`,
        en: `The backup archive ${volid} cannot be read from node ${node}: ${err.message}`,
      },
      { node, vmid, volid },
    );
  if (err instanceof PveTaskFailedError)
    return permanent(
      'RESTORE_FAILED',
      {
        id: `Pemulihan ${volid} ke VM baru ${vmid} gagal di Proxmox: ${err.exitstatus}. VM setengah jadi dihapus saat pembersihan.`,
        en: `Restoring ${volid} into the new VM ${vmid} failed on Proxmox: ${err.exitstatus}. The half-made VM is destroyed by the cleanup.`,
      },
      { node, vmid, upid: err.upid },
    );
  return err;
}

/**
 * The clone step of a restore into a new VM: `qmrestore` of the request's backup to the reserved
 * vmid on the placed node (`unique=1`: new MAC addresses and SMBIOS uuid; the pool; the catalog's
 * storage when it names one; in one of the node's clone slots), then this run's owner marker written over the source's. Exactly
 * once: a qmrestore at that (reserved) vmid since the request's first run is this
 * request's — waited for while it runs, adopted (and claimed) when it ended OK, restored over
 * (`force`, it is ours) when it failed; a VM there without such a task is someone else's and the
 * reservation moves to the next free vmid. A failed restore leaves a half-made VM: it is claimed
 * before the error, so the rollback (destroy by marker) removes it.
 */
export async function restoreIntoReservedVmid(
  ctx: ProvisionCtx,
  run: RunRow,
  reserved: { vmId: string; vmid: number },
  place: { node: string; storage: string | null },
  signal: AbortSignal,
  log: Logger,
): Promise<Restored> {
  const archive = archiveOf(ctx);
  const { volid } = archive;
  let node = await restoreNode(ctx, place.node, archive, signal);
  const since = await requestWindowStart(ctx, run);
  let vmid = reserved.vmid;
  let force = false;
  for (let moves = 0; ; moves += 1) {
    // tasks are looked for where the VM is (an earlier run may have placed it on another node)
    const before = await inspectVmid(ctx.pve, vmid, ctx.marker, { signal });
    const at = before.state === 'absent' ? node : before.node;
    const earlier = await ownLatestRestore(ctx, at, vmid, since, signal);
    const seen = await inspectVmid(ctx.pve, vmid, ctx.marker, { signal });
    if (seen.state === 'ours' && !seen.lock) return { vmid, node: seen.node, adopted: true };
    const earlierRun = seen.state === 'absent' || seen.lock ? false : await ownedByEarlierRun(ctx, vmid, signal);
    if ((earlier?.status === 'OK' || earlierRun) && seen.state !== 'absent' && !seen.lock) {
      await claim(ctx, ctx.pve, seen.node, vmid, signal);
      return { vmid, node: seen.node, adopted: true };
    }
    if (earlier && seen.state !== 'absent' && !seen.lock) {
      // our own failed restore's leftover, wherever an earlier run placed it: restored over there
      force = true;
      node = seen.node;
      break;
    }
    if (seen.state === 'absent') break;
    if (moves >= 3)
      throw permanent('VMID_TAKEN', {
        id: `VMID ${vmid} dan penggantinya dipakai VM lain; pemulihan tidak dimulai.`,
        en: `VMID ${vmid} and its replacements are held by other VMs; the restore was not started.`,
      });
    log.warn({ vmid, state: seen.state }, 'VMID dipakai VM lain / vmid held by another VM');
    vmid = await moveReservation(ctx, reserved.vmId);
  }
  const task = { deadlineMs: ctx.settings.PVE_CLONE_TASK_SECONDS * 1000, signal };
  try {
    // the restore writes whole disks like a clone: it takes one of the node's clone slots
    await withCloneSlot(
      ctx.deps.db,
      node,
      ctx.settings.PVE_CLONE_LIMIT_PER_NODE,
      Math.min(300_000, ctx.settings.PVE_CLONE_TASK_SECONDS * 1000),
      () =>
        backupClient(ctx.pve).restore(
          node,
          {
            vmid,
            archive: volid,
            unique: true,
            ...(force ? { force: true } : {}),
            ...(place.storage ? { storage: place.storage } : {}),
            ...(ctx.settings.PVE_POOL ? { pool: ctx.settings.PVE_POOL } : {}),
          },
          task,
        ),
      { signal },
    );
  } catch (err) {
    if (err instanceof PveTaskFailedError) await claim(ctx, ctx.pve, node, vmid, signal).catch(() => undefined);
    throw explain(err, volid, node, vmid);
  }
  await claim(ctx, ctx.pve, node, vmid, signal);
  return { vmid, node, adopted: false };
}
