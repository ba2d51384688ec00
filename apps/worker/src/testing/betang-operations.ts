import { listOpenFindings, type Db } from '@betang/db';
import { backupClient, type BetangOperation, type PveClient } from '@betang/proxmox';
import { makeQueuedActionRun, makeQueuedProvisionRun } from '@betang/testkit';
import type { WorkerDeps } from '../deps';
import { runDoctor, type DoctorInput } from '../doctor/doctor';
import { reconcileCluster } from '../reconcile/reconcile-cluster';
import type { ProvisioningEnv } from './provisioning-env';
import { runToEnd } from './run-to-end';

export type OperationOutcome = { ok: boolean; detail: string };

async function provision(
  env: ProvisioningEnv,
  deps: WorkerDeps,
  db: Db,
  templateStorage?: string,
): Promise<{ requestId: string; run: Awaited<ReturnType<typeof runToEnd>> }> {
  const q = await makeQueuedProvisionRun(db, { ports: [], ...(templateStorage ? { templateStorage } : {}) });
  env.portsByHostname.set(q.hostname, q.ports);
  return { requestId: q.requestId, run: await runToEnd(deps, q.runId) };
}

async function action(
  deps: WorkerDeps,
  db: Db,
  requestId: string,
  kind: 'stop' | 'start' | 'resize' | 'decommission' | 'ssh_keys' | 'snapshot' | 'snapshot_delete' | 'restore',
  params: Record<string, unknown> = {},
): Promise<OperationOutcome> {
  const run = await runToEnd(deps, await makeQueuedActionRun(db, requestId, kind, params));
  return { ok: run.status === 'succeeded', detail: `${kind}: ${run.status} ${run.errorCode ?? ''} ${run.errorMessage ?? ''}`.trim() };
}

/** Takes a snapshot and deletes it through the two runs, judged by the cluster too. */
async function snapshotRoundTrip(
  deps: WorkerDeps,
  db: Db,
  env: ProvisioningEnv,
  requestId: string,
  vmid: number,
): Promise<OperationOutcome> {
  const vm = await db.selectFrom('vms').select('id').where('requestId', '=', requestId).executeTakeFirstOrThrow();
  const row = await db
    .insertInto('vmSnapshots')
    .values({ vmId: vm.id, name: 'betang-privtest01', withRam: false, status: 'creating' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const take = await action(deps, db, requestId, 'snapshot', { snapshotId: row.id });
  const taken = env.sim.state.vm(vmid)?.config.parent === 'betang-privtest01';
  if (!take.ok || !taken) return { ok: false, detail: `${take.detail}${taken ? '' : '; no snapshot on the VM'}` };
  await db.updateTable('vmSnapshots').set({ status: 'deleting' }).where('id', '=', row.id).execute();
  const drop = await action(deps, db, requestId, 'snapshot_delete', { snapshotId: row.id });
  const gone = env.sim.state.vm(vmid)?.config.parent === undefined;
  return { ok: drop.ok && gone, detail: `${take.detail}; ${drop.detail}${gone ? '' : '; snapshot still on the VM'}` };
}

/**
 * The backup sweep's calls with the token under test: vzdump to the backup storage (awaited,
 * its archive found in the storage's content), the VM's backups listed, then pruned by a
 * retention; judged by the archive the cluster holds afterwards, read with root's client.
 */
async function backupRoundTrip(pve: PveClient, root: PveClient, node: string, vmid: number, storage: string): Promise<OperationOutcome> {
  const backups = backupClient(pve);
  try {
    const made = await backups.vzdump(node, { vmid, storage, mode: 'snapshot', notesTemplate: '{{guestname}}' }, { deadlineMs: 60_000 });
    const listed = await backups.list(node, storage, vmid);
    await backups.prune(node, storage, vmid, { keepLast: 1 }, { deadlineMs: 60_000 });
    const kept = (await backupClient(root).list(node, storage, vmid)).some((v) => v.volid === made.volid);
    const seen = listed.some((v) => v.volid === made.volid);
    return { ok: kept && seen, detail: `backup: ${made.volid}${seen ? '' : ' not listed'}${kept ? '' : ' not on the storage'}` };
  } catch (error) {
    return { ok: false, detail: `backup: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Both restores with the token under test, from a backup root made of the day-2 VM (so that only
 * what the restores need is judged): over the VM (the `restore` run) and into a new VM (a
 * provision run of a request that restores the backup), judged by the cluster: the restore task
 * ran at each vmid and the new VM exists and runs.
 */
async function restoreRoundTrip(
  env: ProvisioningEnv,
  deps: WorkerDeps,
  root: PveClient,
  db: Db,
  source: { requestId: string; vmid: number; node: string },
  storage: string,
  templateStorage: string | undefined,
): Promise<OperationOutcome> {
  // PBS names snapshots by the second: one second after the backup operation's own
  await new Promise((r) => setTimeout(r, 1100));
  const made = await backupClient(root).vzdump(source.node, { vmid: source.vmid, storage, mode: 'snapshot' }, { deadlineMs: 60_000 });
  const vm = await db.selectFrom('vms').select('id').where('requestId', '=', source.requestId).executeTakeFirstOrThrow();
  const backup = await db
    .insertInto('vmBackups')
    .values({
      vmId: vm.id,
      vmid: source.vmid,
      node: source.node,
      storage,
      backupDate: '2026-12-07',
      outcome: 'ok',
      volid: made.volid,
      finishedAt: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const restoresAt = (vmid: number) =>
    env.sim.state.tasks().filter((t) => t.type === 'qmrestore' && t.id === String(vmid) && t.exitstatus === 'OK').length;
  const inPlace = await action(deps, db, source.requestId, 'restore', { backupId: backup.id, mode: 'in_place' });
  const restoredInPlace = restoresAt(source.vmid) > 0;
  // the new request takes the source VM's current sizes, as the API writes it
  const sizes = await db.selectFrom('vms').select(['cores', 'memoryMiB', 'diskGiB']).where('id', '=', vm.id).executeTakeFirstOrThrow();
  const q = await makeQueuedProvisionRun(db, { ports: [], ...sizes, ...(templateStorage ? { templateStorage } : {}) });
  await db.updateTable('vpsRequests').set({ restoreFromBackupId: backup.id }).where('id', '=', q.requestId).execute();
  env.portsByHostname.set(q.hostname, q.ports);
  const intoNew = await runToEnd(deps, q.runId);
  const newVmid = (await db.selectFrom('vms').select('vmid').where('requestId', '=', q.requestId).executeTakeFirst())?.vmid;
  const newOk =
    intoNew.status === 'succeeded' &&
    newVmid !== null &&
    newVmid !== undefined &&
    restoresAt(newVmid) === 1 &&
    env.sim.state.vm(newVmid)?.status === 'running';
  return {
    ok: inPlace.ok && restoredInPlace && newOk,
    detail:
      `${inPlace.detail}${restoredInPlace ? '' : '; no qmrestore over the VM'}; new VM: ${intoNew.status} ${intoNew.errorCode ?? ''} ${intoNew.errorMessage ?? ''}`.trim(),
  };
}

/** Resolves once the VM's guest agent answers a ping through `deps`' token; throws after 60 s. */
async function untilAgentAnswers(deps: WorkerDeps, db: Db, requestId: string, vmid: number): Promise<void> {
  const { node } = await db.selectFrom('vms').select('node').where('requestId', '=', requestId).executeTakeFirstOrThrow();
  if (!deps.pve || !node) throw new Error('untilAgentAnswers needs a PVE client and a placed VM');
  const agent = deps.pve.vm(node, vmid).agent;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await agent.ping();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Every operation Betang makes on Proxmox, each one on its own footing: `deps` (the token under
 * test) provisions a VM; a VM for the day-2 actions is provisioned with `rootDeps` so that a
 * refused provisioning does not hide what the others need. Reconciliation must see every VM
 * Betang made (no `missing_vm`); the self-check is the doctor's reading of the layout.
 */
export async function runBetangOperations(
  env: ProvisioningEnv,
  deps: WorkerDeps,
  rootDeps: WorkerDeps,
  db: Db,
  doctor: { pve: PveClient; input: DoctorInput },
): Promise<Record<BetangOperation, OperationOutcome>> {
  // The catalog's template lives where the doctor expects it (Ceph, or a node's local LVM).
  const storage = doctor.input.templates[0]?.storage ?? undefined;
  const own = await provision(env, deps, db, storage);
  const out = {} as Record<BetangOperation, OperationOutcome>;
  out.provision = {
    ok: own.run.status === 'succeeded',
    detail: `provision: ${own.run.status} ${own.run.errorCode ?? ''} ${own.run.errorMessage ?? ''}`.trim(),
  };
  const day2 = await provision(env, rootDeps, db, storage);
  if (day2.run.status !== 'succeeded') throw new Error(`setup provisioning under root failed: ${day2.run.errorMessage ?? ''}`);
  const vmid = (await db.selectFrom('vms').select('vmid').where('requestId', '=', day2.requestId).executeTakeFirstOrThrow()).vmid as number;
  // Judged by the cluster, not only by the run: a run that cannot see the VM must not pass.
  const stop = await action(deps, db, day2.requestId, 'stop');
  const stopped = env.sim.state.vm(vmid)?.status === 'stopped';
  const start = stop.ok ? await action(deps, db, day2.requestId, 'start') : stop;
  out.power = {
    ok: stop.ok && stopped && start.ok && env.sim.state.vm(vmid)?.status === 'running',
    detail: `${stop.detail}; ${start.detail}`,
  };
  // A VM just started answers on its agent only after its boot: wait for that with root's token
  // (the token under test is judged on the write, not on how fast the guest boots).
  if (start.ok) await untilAgentAnswers(rootDeps, db, day2.requestId, vmid);
  // The admin user's keys through the guest agent, judged by the file the guest got.
  const keysFile = '/home/betang-ops/.ssh/authorized_keys';
  const keyLine = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbVRlFEo9xXFEUF8lUDt8JVInbqfMFfpjrDTfcR63EV ops@betang';
  const keys = await action(deps, db, day2.requestId, 'ssh_keys', { sshPublicKeys: [keyLine], adminUser: 'betang-ops' });
  const written = env.sim.state.guestFiles(vmid).get(keysFile)?.toString('utf8') === `${keyLine}\n`;
  out['ssh-keys'] = { ok: keys.ok && written, detail: `${keys.detail}${written ? '' : `; ${keysFile} not written`}` };
  const resize = await action(deps, db, day2.requestId, 'resize', { cores: 4, memoryMiB: 4096, diskGiB: 20 });
  const disk = String(env.sim.state.vm(vmid)?.config.scsi0 ?? '');
  out.resize = { ok: resize.ok && /size=20G/.test(disk), detail: `${resize.detail}; scsi0 ${disk}` };
  out.snapshot = await snapshotRoundTrip(deps, db, env, day2.requestId, vmid);
  const day2Node = (await db.selectFrom('vms').select(['node']).where('requestId', '=', day2.requestId).executeTakeFirstOrThrow()).node;
  if (!deps.pve || !rootDeps.pve) throw new Error('the operations need a PVE client');
  out.backup = await backupRoundTrip(deps.pve, rootDeps.pve, day2Node ?? 'pve1', vmid, doctor.input.targets.backupStorages[0] ?? 'pbs');
  out.restore = await restoreRoundTrip(
    env,
    deps,
    rootDeps.pve,
    db,
    { requestId: day2.requestId, vmid, node: day2Node ?? 'pve1' },
    doctor.input.targets.backupStorages[0] ?? 'pbs',
    storage,
  );
  const round = await reconcileCluster(deps).then(
    async () => (await listOpenFindings(db)).filter((f) => f.kind === 'missing_vm').map((f) => `missing_vm:${f.vmid}`),
    (error: unknown) => [`reconcile failed: ${error instanceof Error ? error.message : String(error)}`],
  );
  out.reconcile = { ok: round.length === 0, detail: round.join(', ') || 'reconcile: no missing VM' };
  const check = await runDoctor(doctor.pve, doctor.input);
  const layout = check.findings.filter((f) => f.level === 'error' && f.check !== 'permission');
  out['self-check'] = {
    ok: layout.length === 0,
    detail: layout.map((f) => `${f.check} ${f.subject}: ${f.message.en}`).join('; ') || 'self-check: layout readable',
  };
  // The API's browser console opens a termproxy with the same token (VM.Console on the VM).
  const vmRow = await db.selectFrom('vms').select(['node']).where('requestId', '=', day2.requestId).executeTakeFirstOrThrow();
  const pve = deps.pve;
  if (!pve) throw new Error('the operations need a PVE client');
  out.console = await pve
    .vm(vmRow.node ?? 'pve1', vmid)
    .openTermproxy({ serial: 'serial0' })
    .then(
      (tp) => ({ ok: tp.port >= 5900, detail: `console: termproxy on port ${tp.port}` }),
      (error: unknown) => ({ ok: false, detail: `console: ${error instanceof Error ? error.message : String(error)}` }),
    );
  const destroy = await action(deps, db, day2.requestId, 'decommission', { reason: 'uji hak akses / privilege test' });
  const gone = env.sim.state.vm(vmid) === undefined;
  out.destroy = { ok: destroy.ok && gone, detail: `${destroy.detail}${gone ? '' : `; VM ${vmid} still exists`}` };
  return out;
}
