import { adminUserForInstitution, DEFAULT_APPROVAL_POLICY, ZApprovalPolicy, approvalState, type VpsRequestDto } from '@betang/core';
import { loadRequestViewParts, type Executor, type RequestViewParts, type RequestViewRun, type VpsRequestRow } from '@betang/db';
import { hostKeyFingerprint } from '../../http/host-key-fingerprint';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const AWAITING_DECISION: readonly string[] = ['submitted', 'partially_approved'];

/**
 * The whole picture of a request as the API returns it (docs/http-api.md): approvals with who
 * decided, the pending level, the reserved address, the latest run with its steps, and the VM.
 * One query besides the request row itself (see loadRequestViewParts); calls made in the same
 * tick on the same executor (a page mapped with Promise.all) share that one query. With
 * `{ history: false }` the view has no `runs` and the query reads no run but the latest.
 */
export function loadRequestView(db: Executor, request: VpsRequestRow, options: { history?: boolean } = {}): Promise<VpsRequestDto> {
  const history = options.history !== false;
  return new Promise((resolve, reject) => {
    let batches = pendingBatches.get(db);
    if (!batches) {
      batches = new Map();
      pendingBatches.set(db, batches);
    }
    let batch = batches.get(history);
    if (!batch) {
      const created: Waiter[] = [];
      batch = created;
      const owner = batches;
      owner.set(history, created);
      queueMicrotask(() => {
        owner.delete(history);
        if (owner.size === 0) pendingBatches.delete(db);
        void flush(db, created, history);
      });
    }
    batch.push({ request, resolve, reject });
  });
}

/**
 * Reads one request and its view in ONE query (the status read's hot path). Undefined for an
 * unknown id. The caller must check tenancy on `request` before it returns `view`.
 */
export async function findRequestWithView(db: Executor, id: string): Promise<{ request: VpsRequestRow; view: VpsRequestDto } | undefined> {
  const parts = (await loadRequestViewParts(db, [id])).get(id);
  return parts && { request: parts.request, view: toView(parts.request, parts) };
}

type Waiter = { request: VpsRequestRow; resolve: (view: VpsRequestDto) => void; reject: (error: unknown) => void };
// Per executor, one batch for views with the run history and one for views without it.
const pendingBatches = new WeakMap<Executor, Map<boolean, Waiter[]>>();

async function flush(db: Executor, waiters: readonly Waiter[], history: boolean): Promise<void> {
  let parts: Map<string, RequestViewParts>;
  try {
    parts = await loadRequestViewParts(db, [...new Set(waiters.map((w) => w.request.id))], { history });
  } catch (error) {
    for (const w of waiters) w.reject(error);
    return;
  }
  // Each caller gets its own outcome: one bad row never fails the others of the batch.
  for (const w of waiters) {
    try {
      const view = toView(w.request, partsOf(parts, w.request));
      if (history) w.resolve(view);
      else {
        const { runs: _notRead, ...rest } = view;
        w.resolve(rest);
      }
    } catch (error) {
      w.reject(error);
    }
  }
}

function partsOf(parts: ReadonlyMap<string, RequestViewParts>, request: VpsRequestRow): RequestViewParts {
  const found = parts.get(request.id);
  // The request row was read just before; only a concurrent hard delete could remove it.
  if (!found) throw new Error(`request ${request.id} vanished while its view was read`);
  return found;
}

type RunDto = NonNullable<VpsRequestDto['run']>;

function runView(run: RequestViewRun): RunDto {
  return {
    id: run.id,
    kind: run.kind as RunDto['kind'],
    status: run.status,
    attempt: run.attempt,
    progress: run.progress,
    currentStep: run.currentStep,
    steps: run.steps.map((s) => ({
      key: s.key,
      status: s.status as 'pending',
      attempt: s.attempt,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      detail: s.detail,
    })),
    error: run.errorMessage ? { code: run.errorCode, message: run.errorMessage, retryable: run.errorRetryable } : null,
  };
}

function toView(request: VpsRequestRow, parts: RequestViewParts): VpsRequestDto {
  const { approvals, run, steps, vm, institutionCode } = parts;
  const lease = parts.ipAddress === null ? undefined : { address: parts.ipAddress };
  const resources = { cores: request.cores, memoryMiB: request.memoryMiB, diskGiB: request.diskGiB };
  // A live request's pending change (a resize awaiting approval) is decided like a request: by its own decisions.
  const changeRunId = AWAITING_DECISION.includes(request.status) ? null : parts.pendingChangeRunId;
  const policy =
    AWAITING_DECISION.includes(request.status) || changeRunId
      ? parts.approvalPolicy === null || parts.approvalPolicy === undefined
        ? DEFAULT_APPROVAL_POLICY
        : ZApprovalPolicy.parse(parts.approvalPolicy)
      : undefined;
  const state = policy
    ? approvalState(
        policy,
        resources,
        approvals.filter((a) => a.runId === changeRunId),
        () => 1,
      )
    : undefined;
  const contact = request.contact as VpsRequestDto['contact'];
  return {
    id: request.id,
    institutionId: request.institutionId,
    status: request.status,
    statusReason: request.statusReason,
    hostname: request.hostname,
    templateId: request.templateId,
    presetId: request.presetId,
    resources,
    applicationId: request.applicationId,
    sshPublicKeys: request.sshPublicKeys,
    purpose: request.purpose,
    network: { publicAccess: request.publicAccess, ports: request.ports },
    contact,
    requestedBy: request.requestedBy,
    approvals: approvals.map((a) => ({
      level: a.level,
      decision: a.decision,
      by: a.decidedBy,
      byName: a.decidedByName,
      role: a.role,
      at: a.decidedAt.toISOString(),
      comment: a.comment,
      runId: a.runId,
    })),
    pendingLevel: state?.kind === 'pending' ? { level: state.level.level, name: state.level.name, roles: state.level.roles } : null,
    ipAddress: lease?.address ?? null,
    adminUser: adminUserForInstitution(institutionCode),
    run: run ? runView({ ...run, steps }) : null,
    runs: parts.runs.map(runView),
    vm: vm
      ? {
          id: vm.id,
          node: vm.node,
          vmid: vm.vmid,
          ipAddress: lease?.address ?? null,
          state: vm.state,
          hostKeyFingerprint: vm.hostKey === null ? null : hostKeyFingerprint(vm.hostKey),
          publicEndpoint: parts.publicEndpoint
            ? { mechanism: 'nat' as const, ...parts.publicEndpoint, probedAt: iso(parts.publicEndpoint.probedAt) }
            : null,
        }
      : null,
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
  };
}
