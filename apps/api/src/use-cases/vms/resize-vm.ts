import {
  AppError,
  DEFAULT_APPROVAL_POLICY,
  ErrorCode,
  ZApprovalPolicy,
  applicableLevels,
  isAutoApproved,
  vmActionAllowed,
  type Actor,
  type ApprovalLevel,
  type Resources,
  type ResizeBody,
} from '@betang/core';
import { appendAudit, getQuotaUsage, getSetting, enqueueJob, insertRun, lockPendingChange, lockQuota, type Tx } from '@betang/db';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { assertAgreementCovers, assertQuota, assertSizeAllowed, fieldError } from '../vps-requests/request-checks';
import { lockVm } from './request-vm-action';
import { dueAt, type ResizeParams } from './pending-change';
import { refuseWhileBusy } from './refuse-while-busy';

type ResizeOutcome = {
  runId: string;
  status: 'awaiting_approval' | 'queued';
  pendingLevel: Pick<ApprovalLevel, 'level' | 'name' | 'roles'> | null;
};

/** How far ahead a change may be scheduled, and how late a start time may be and still count as "now". */
const MAX_SCHEDULE_DAYS = 30;
const PAST_GRACE_MS = 5 * 60_000;

const DIMENSION_TEXT: Record<keyof Resources, { id: string; en: string }> = {
  cores: { id: 'Jumlah core', en: 'Cores' },
  memoryMiB: { id: 'Memori', en: 'Memory' },
  diskGiB: { id: 'Disk', en: 'The disk' },
};

/** The 400 of a shrink: each smaller dimension named by its field, nothing written. */
function shrinkError(current: Resources, target: Resources): AppError | null {
  const issues = (['cores', 'memoryMiB', 'diskGiB'] as const)
    .filter((key) => target[key] < current[key])
    .map((key) => ({
      path: `body.${key}`,
      code: 'shrink_refused',
      message: {
        id: `${DIMENSION_TEXT[key].id} tidak dapat diperkecil (${current[key]} → ${target[key]})`,
        en: `${DIMENSION_TEXT[key].en} cannot shrink (${current[key]} → ${target[key]})`,
      },
    }));
  if (issues.length === 0) return null;
  return new AppError(
    ErrorCode.ValidationFailed,
    {
      id: `Ukuran hanya dapat diperbesar (disk tidak dapat diperkecil tanpa kehilangan data): ${issues.map((i) => i.path.slice(5)).join(', ')}.`,
      en: `Sizes can only grow (a disk cannot shrink without losing data): ${issues.map((i) => i.path.slice(5)).join(', ')}.`,
    },
    issues,
  );
}

/** When the worker may apply the change: null = once approved; a time in the past (beyond a few minutes) or too far ahead is a 400. */
function scheduleOf(applyAt: string | undefined, now: Date): Date | null {
  if (applyAt === undefined) return null;
  const at = new Date(applyAt);
  if (at.getTime() < now.getTime() - PAST_GRACE_MS)
    throw fieldError(
      'body.applyAt',
      'Waktu penerapan sudah lewat; pilih "sekarang" atau waktu yang akan datang',
      'The time to apply has passed; choose "now" or a time ahead',
    );
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000)
    throw fieldError(
      'body.applyAt',
      `Waktu penerapan paling lambat ${MAX_SCHEDULE_DAYS} hari lagi`,
      `The time to apply must be within ${MAX_SCHEDULE_DAYS} days`,
    );
  return at;
}

const samePorts = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && [...a].sort((x, y) => x - y).every((p, i) => p === [...b].sort((x, y) => x - y)[i]);

/**
 * Asks to change an active VM: grow its sizes and/or replace its open ports, now or from a
 * maintenance window's start (`applyAt`). Asked by the owning institution's staff and head (a
 * foreign VM answers 404 like a missing one) or by operators. The change gets every check a new
 * request gets — the custom-size rules (or a catalog preset) when a size changes, the quota for
 * the growth, the agreement in force with a ceiling covering the institution's usage after it,
 * the port rules of the request form — and then the approval policy for the resulting size:
 * auto-approved changes are queued for the worker at once (delayed to `applyAt`); otherwise the
 * change waits (its run `awaiting_approval`) in the approval queue until POST
 * /vps-requests/:id/approve satisfies the policy. A shrink, a past start time or a change that
 * changes nothing is a 400 with nothing written. The growth is reserved on the request under the
 * quota lock, so pending changes count like pending requests. One pending change per VM; refused
 * with 409 while another is pending or a run is live.
 */
export async function resizeVm(tx: Tx, actor: Actor, vmId: string, wanted: ResizeBody, meta: AuditMeta): Promise<ResizeOutcome> {
  const vm = await lockVm(tx, actor, vmId);
  if (!vmActionAllowed(vm.state, 'resize')) {
    throw new AppError(ErrorCode.InvalidState, {
      id: `VM berstatus ${vm.state}; perubahan tidak dapat dilakukan.`,
      en: `The VM is ${vm.state}; it cannot be changed.`,
    });
  }
  await refuseWhileBusy(tx, vm.requestId);
  if (await lockPendingChange(tx, vm.requestId)) {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Perubahan sebelumnya untuk VM ini masih menunggu persetujuan.',
      en: 'An earlier change of this VM is still awaiting approval.',
    });
  }

  const now = new Date();
  const applyAt = scheduleOf(wanted.applyAt, now);
  const request = await tx
    .selectFrom('vpsRequests')
    .select(['cores', 'memoryMiB', 'diskGiB', 'ports'])
    .where('id', '=', vm.requestId)
    .executeTakeFirstOrThrow();
  const current: Resources = { cores: vm.cores, memoryMiB: vm.memoryMiB, diskGiB: vm.diskGiB };
  const target: Resources = {
    cores: wanted.cores ?? current.cores,
    memoryMiB: wanted.memoryMiB ?? current.memoryMiB,
    diskGiB: wanted.diskGiB ?? current.diskGiB,
  };
  const shrink = shrinkError(current, target);
  if (shrink) throw shrink;
  const sizeChanges = target.cores !== current.cores || target.memoryMiB !== current.memoryMiB || target.diskGiB !== current.diskGiB;
  const portsFrom = [...request.ports].sort((a, b) => a - b);
  const ports = wanted.ports === undefined ? undefined : [...wanted.ports].sort((a, b) => a - b);
  const portChanges = ports !== undefined && !samePorts(ports, portsFrom);
  if (!sizeChanges && !portChanges) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      {
        id: 'Tidak ada yang berubah: ukuran dan port sama dengan yang sekarang.',
        en: 'Nothing changes: the sizes and ports are those the VM has now.',
      },
      [{ path: 'body', code: 'no_change', message: { id: 'Tidak ada perubahan.', en: 'Nothing to change.' } }],
    );
  }
  if (sizeChanges) await assertSizeAllowed(tx, target, 'body', (key) => `body.${key}`);

  // The request's resources are what the quota and the ceiling count: reserve the growth under the quota lock.
  const limits = await lockQuota(tx, vm.institutionId);
  const held: Resources = { cores: request.cores, memoryMiB: request.memoryMiB, diskGiB: request.diskGiB };
  const growth = {
    cores: Math.max(0, target.cores - held.cores),
    memoryMiB: Math.max(0, target.memoryMiB - held.memoryMiB),
    diskGiB: Math.max(0, target.diskGiB - held.diskGiB),
  };
  const usage = await getQuotaUsage(tx, vm.institutionId);
  // A change adds no VM; a port change adds nothing the quota counts.
  if (growth.cores + growth.memoryMiB + growth.diskGiB > 0) assertQuota(limits, usage, { ...growth, vmCount: 0 });
  const usageAfter = {
    cores: usage.cores + growth.cores,
    memoryMiB: usage.memoryMiB + growth.memoryMiB,
    diskGiB: usage.diskGiB + growth.diskGiB,
    vmCount: usage.vmCount,
  };
  await assertAgreementCovers(tx, vm.institutionId, growth, usageAfter);
  if (sizeChanges)
    await tx
      .updateTable('vpsRequests')
      .set({ cores: target.cores, memoryMiB: target.memoryMiB, diskGiB: target.diskGiB })
      .where('id', '=', vm.requestId)
      .execute();

  const policy = await getSetting(tx, 'approval_policy', ZApprovalPolicy, DEFAULT_APPROVAL_POLICY);
  const first = applicableLevels(policy, target)[0];
  const autoApproved = isAutoApproved(policy, target) || first === undefined;
  const params: ResizeParams = {
    ...target,
    from: held,
    before: current,
    portsFrom,
    ...(portChanges ? { ports } : {}),
    ...(applyAt ? { applyAt: applyAt.toISOString() } : {}),
  };
  const run = await insertRun(tx, {
    requestId: vm.requestId,
    vmId: vm.id,
    kind: 'resize',
    requestedBy: actor.userId,
    params,
    status: autoApproved ? 'queued' : 'awaiting_approval',
  });
  if (autoApproved) await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}`, ...dueAt(params, now) });
  await appendAudit(tx, {
    ...meta,
    institutionId: vm.institutionId,
    action: 'vm.resize_requested',
    targetType: 'vm',
    targetId: vm.id,
    before: { state: vm.state, ...current, ports: portsFrom },
    after: {
      runId: run.id,
      runStatus: run.status,
      ...target,
      ports: ports ?? portsFrom,
      applyAt: params.applyAt ?? null,
      pendingLevel: autoApproved ? null : (first?.level ?? null),
    },
  });
  return {
    runId: run.id,
    status: autoApproved ? 'queued' : 'awaiting_approval',
    pendingLevel: !autoApproved && first ? { level: first.level, name: first.name, roles: first.roles } : null,
  };
}
