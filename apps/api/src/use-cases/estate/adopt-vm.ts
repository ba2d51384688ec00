import {
  AppError,
  ErrorCode,
  ceilingShortfalls,
  todayInJakarta,
  trackedAddresses,
  type Actor,
  type AdoptResultDto,
  type LocalizedText,
} from '@betang/core';
import {
  appendAudit,
  enqueueJob,
  findAgreementInForce,
  getQuota,
  getQuotaUsage,
  insertRun,
  lockEstateVm,
  lockForTransaction,
  type Executor,
  type Tx,
} from '@betang/db';
import { sql } from 'kysely';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { conflictsOf, loadEstateWorld, poolFor, proposalOf, type EstateWorld } from './estate-world';

/** Serialises adoptions (and decisions) cluster-wide: conflicts span VMs, so one at a time. */
export const ADOPTION_LOCK = 'betang:estate-adoption';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A hostname the request row accepts, from a name people typed ("SIMPEG-server" → "simpeg-server"). */
export function hostnameFor(name: string | null, vmid: number): string {
  const h = (name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return h.length > 0 ? h : `vm-${vmid}`;
}

/** Why a VM cannot be adopted as asked, as one bilingual text (the caller's language is picked by the error handler). */
function refusal(lines: LocalizedText[]): LocalizedText {
  return { id: lines.map((l) => l.id).join(' '), en: lines.map((l) => l.en).join(' ') };
}

/** Over-quota and over-ceiling dimensions of an institution (reported after an adoption, never refused). */
export async function overLimits(db: Executor, institutionId: string): Promise<AdoptResultDto['over']> {
  const [{ limits }, usage, agreement, ips] = await Promise.all([
    getQuota(db, institutionId),
    getQuotaUsage(db, institutionId),
    findAgreementInForce(db, institutionId, todayInJakarta()),
    db
      .selectFrom('ipAllocations as a')
      .innerJoin('vpsRequests as r', 'r.id', 'a.requestId')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('r.institutionId', '=', institutionId)
      .where('a.releasedAt', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const over: AdoptResultDto['over'] = (['cores', 'memoryMiB', 'diskGiB', 'vmCount'] as const)
    .filter((d) => usage[d] > limits[d])
    .map((d) => ({ limit: 'quota' as const, dimension: d, allowed: limits[d], used: usage[d] }));
  if (agreement)
    for (const s of ceilingShortfalls(agreement.ceiling, { ...usage, ipCount: ips.n }))
      over.push({ limit: 'ceiling', dimension: s.dimension, allowed: s.ceiling, used: s.usageAfter });
  return over;
}

type AdoptInput = { vmid: number; institutionId: string; applicationId: string };

/**
 * Adopts one VM of the census under an institution and application, in the caller's
 * transaction: an `active` (or `stopped`) request of origin `adopted` and its VM row (so quota,
 * ceiling and every day-2 action see it), every pooled address it uses held (the first as primary), the adoption recorded,
 * an `adopt` run queued to write the ownership marker on Proxmox, audited. Nothing of the guest is
 * reconfigured. Refused (409) while a conflict of the VM waits for a decision, when it is already
 * adopted or claimed; 404 for a VM not in the census; 422 for an application of another institution.
 * Safe against double adoption: the census row is locked and a live adoption per vmid is unique.
 */
export async function adoptVm(tx: Tx, actor: Actor, input: AdoptInput, meta: AuditMeta, world?: EstateWorld): Promise<AdoptResultDto> {
  await lockForTransaction(tx, ADOPTION_LOCK);
  const vm = await lockEstateVm(tx, input.vmid);
  if (!vm)
    throw new AppError(ErrorCode.NotFound, {
      id: `VM ${input.vmid} tidak ada dalam sensus.`,
      en: `VM ${input.vmid} is not in the census.`,
    });
  const w = world ?? (await loadEstateWorld(tx));
  if (w.adoptions.has(vm.vmid))
    throw new AppError(ErrorCode.Conflict, { id: `VM ${vm.vmid} sudah diadopsi.`, en: `VM ${vm.vmid} is already adopted.` });
  const open = conflictsOf(w, vm).filter((c) => !c.resolved);
  if (open.length > 0)
    throw new AppError(
      ErrorCode.InvalidState,
      refusal([
        { id: `VM ${vm.vmid} menunggu keputusan:`, en: `VM ${vm.vmid} waits for a decision:` },
        ...open.map((c) => ({ id: `${c.message.id} ${c.decide.id}`, en: `${c.message.en} ${c.decide.en}` })),
      ]),
      open.map((c) => ({ kind: c.kind, address: c.address, others: c.others })),
    );
  const app = await tx
    .selectFrom('applications')
    .select(['id', 'name', 'institutionId', 'picName', 'picNip', 'picPhone', 'picEmail'])
    .where('id', '=', input.applicationId)
    .executeTakeFirst();
  const inst = await tx.selectFrom('institutions').select(['id', 'code']).where('id', '=', input.institutionId).executeTakeFirst();
  if (!inst) throw new AppError(ErrorCode.NotFound);
  if (!app || app.institutionId !== inst.id)
    throw new AppError(
      ErrorCode.ValidationFailed,
      { id: 'Aplikasi itu bukan milik perangkat daerah yang dipilih.', en: 'That application does not belong to the chosen institution.' },
      [{ path: 'applicationId', message: 'not of institution', code: 'custom' }],
    );

  const running = vm.power === 'running';
  let hostname = hostnameFor(vm.name, vm.vmid);
  const taken = await tx
    .selectFrom('vpsRequests')
    .select('id')
    .where('institutionId', '=', inst.id)
    .where('hostname', '=', hostname)
    .where('status', 'not in', ['decommissioned', 'rejected', 'cancelled', 'failed'])
    .executeTakeFirst();
  if (taken) hostname = `${hostname.slice(0, 55)}-${vm.vmid}`;
  const sizes = { cores: Math.max(1, vm.cores), memoryMiB: Math.max(512, vm.memoryMiB), diskGiB: Math.max(1, vm.diskGiB) };
  const request = await tx
    .insertInto('vpsRequests')
    .values({
      institutionId: inst.id,
      applicationId: app.id,
      requestedBy: actor.userId,
      hostname,
      templateId: null,
      presetId: null,
      ...sizes,
      sshPublicKeys: [],
      purpose: `Diadopsi dari klaster: VM ${vm.vmid} (${vm.name ?? '-'}) di ${vm.node} / adopted from the cluster`,
      contact: JSON.stringify({ name: app.picName, nip: app.picNip, phone: app.picPhone ?? '', email: app.picEmail }),
      status: running ? 'active' : 'stopped',
      origin: 'adopted',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const vmRow = await tx
    .insertInto('vms')
    .values({
      requestId: request.id,
      institutionId: inst.id,
      vmid: vm.vmid,
      node: vm.node,
      name: vm.name ?? hostname,
      macAddress: vm.macAddress,
      smbiosUuid: vm.smbiosUuid && UUID.test(vm.smbiosUuid) ? vm.smbiosUuid : null,
      ...sizes,
      state: running ? 'running' : 'stopped',
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const pooled: string[] = [];
  const outsidePool: string[] = [];
  const dropped: string[] = [];
  for (const a of trackedAddresses(vm.addresses)) {
    if (vm.decisions.addresses?.[a.address] === 'drop') {
      dropped.push(a.address);
      continue;
    }
    const pool = poolFor(w, a.address);
    if (!pool) {
      outsidePool.push(a.address);
      continue;
    }
    // Every pooled address the VM uses is held, so no new VM is handed one of them; the first is
    // the primary one Betang shows and connects to.
    await tx
      .insertInto('ipAllocations')
      .values({ poolId: pool.id, address: a.address, requestId: request.id, vmId: vmRow.id, isPrimary: pooled.length === 0 })
      .execute();
    pooled.push(a.address);
  }
  const proposal = proposalOf(w, vm);
  const followed = proposal?.institutionId === inst.id && (proposal.applicationId ?? app.id) === app.id;
  await tx
    .insertInto('adoptions')
    .values({
      vmId: vmRow.id,
      requestId: request.id,
      vmid: vm.vmid,
      institutionId: inst.id,
      applicationId: app.id,
      addresses: JSON.stringify({ pooled, outsidePool, dropped }),
      proposalReason: followed ? proposal.reason.id : null,
      adoptedBy: actor.userId,
    })
    .execute();
  const run = await insertRun(tx, { requestId: request.id, vmId: vmRow.id, kind: 'adopt', requestedBy: actor.userId, params: {} });
  await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
  const over = await overLimits(tx, inst.id);
  await appendAudit(tx, {
    ...meta,
    institutionId: inst.id,
    action: 'vm.adopted',
    targetType: 'vm',
    targetId: vmRow.id,
    after: {
      vmid: vm.vmid,
      node: vm.node,
      name: vm.name,
      applicationId: app.id,
      pooled,
      outsidePool,
      dropped,
      decisions: vm.decisions,
      proposalFollowed: followed,
      over,
      runId: run.id,
    },
  });
  // The census of this transaction now counts the VM as adopted (bulk adoption reuses it).
  w.adoptions.set(vm.vmid, { id: '', vmId: vmRow.id, institutionId: inst.id, applicationId: app.id, adoptedAt: new Date() });
  for (const a of pooled) w.held.set(a, vm.vmid);
  w.vmidHolders.set(vm.vmid, vmRow.id);
  return { vmid: vm.vmid, vmId: vmRow.id, requestId: request.id, runId: run.id, pooled, outsidePool, dropped, over };
}
