import type { PublicEndpointDto, RequestEvent, RequestStatus, RunKind, RunStatus, VpsRequestDto } from '@betang/core';

type Step = NonNullable<VpsRequestDto['run']>['steps'][number];

/** Statuses in which a request waits for an approval decision. */
export const AWAITING_DECISION: readonly RequestStatus[] = ['submitted', 'partially_approved'];

/** One run of a request (provisioning or a day-2 action) as the timeline shows it. */
export type RunView = {
  id: string;
  /** provision, start, stop, … (null only until the first event about a run not yet seen names it). */
  kind: RunKind | null;
  status: RunStatus;
  attempt: number;
  progress: number;
  currentStep: string | null;
  error: { code: string | null; message: string; retryable: boolean | null } | null;
  steps: (Step & { position?: number })[];
};

/** A request kept current by its events: the request itself and every run seen, oldest first. */
export type LiveRequest = { request: VpsRequestDto; runs: RunView[]; lastEventId: number };

/** The state a snapshot (GET /vps-requests/:id or the stream's first event) starts from. */
export function fromSnapshot(request: VpsRequestDto, lastEventId = 0): LiveRequest {
  // The whole history when the API sends it; the latest run alone from an older answer.
  const history = request.runs ?? (request.run ? [request.run] : []);
  const runs: RunView[] = history.map((run) => ({ ...run, steps: [...run.steps] }));
  return { request, runs, lastEventId };
}

function withRun(state: LiveRequest, runId: string, change: (run: RunView) => RunView): RunView[] {
  const index = state.runs.findIndex((run) => run.id === runId);
  const base: RunView =
    index >= 0
      ? state.runs[index]!
      : { id: runId, kind: null, status: 'queued', attempt: 1, progress: 0, currentStep: null, error: null, steps: [] };
  const next = change(base);
  return index >= 0 ? state.runs.map((run, i) => (i === index ? next : run)) : [...state.runs, next];
}

type RunDto = NonNullable<VpsRequestDto['run']>;

function withKind(run: RunView, previous: VpsRequestDto['run']): RunDto {
  const kind = run.kind ?? previous?.kind ?? 'provision';
  return {
    id: run.id,
    kind,
    status: run.status,
    attempt: run.attempt,
    progress: run.progress,
    currentStep: run.currentStep,
    error: run.error,
    steps: run.steps,
  };
}

function latestRun(runs: RunView[], previous: VpsRequestDto['run']): VpsRequestDto['run'] {
  const last = runs[runs.length - 1];
  return last ? withKind(last, previous) : previous;
}

/**
 * The VM's public endpoint read again (events never carry it; the worker gives it during
 * provisioning): kept when the state has a VM, everything else unchanged.
 */
export function withPublicEndpoint(state: LiveRequest, endpoint: PublicEndpointDto | null | undefined): LiveRequest {
  const vm = state.request.vm;
  if (!vm || endpoint === undefined) return state;
  return { ...state, request: { ...state.request, vm: { ...vm, publicEndpoint: endpoint } } };
}

/**
 * The host key's fingerprint read again (events never carry host keys): kept when the state has
 * a VM, everything else unchanged.
 */
export function withHostKeyFingerprint(state: LiveRequest, fingerprint: string | null | undefined): LiveRequest {
  const vm = state.request.vm;
  if (!vm || !fingerprint || vm.hostKeyFingerprint === fingerprint) return state;
  return { ...state, request: { ...state.request, vm: { ...vm, hostKeyFingerprint: fingerprint } } };
}

/**
 * The level waiting for a decision as a fresh read of the request says, applied only while the
 * state still waits for one and the read agrees on the status (an older read changes nothing).
 */
export function withPendingLevel(state: LiveRequest, fresh: VpsRequestDto): LiveRequest {
  const request = state.request;
  if (!AWAITING_DECISION.includes(request.status) || fresh.status !== request.status) return state;
  if (fresh.approvals.length < request.approvals.length) return state;
  return { ...state, request: { ...request, pendingLevel: fresh.pendingLevel } };
}

/**
 * Applies one stream event (docs/live-status.md) to the state. Pure; events at or below the
 * state's last id are ignored, so a repeated delivery changes nothing. A snapshot replaces all.
 */
export function applyEvent(state: LiveRequest, event: RequestEvent): LiveRequest {
  if (event.kind === 'snapshot') return fromSnapshot(event.data, event.id);
  if (event.id <= state.lastEventId) return state;
  const request = state.request;
  const next = (patch: Partial<VpsRequestDto>, runs = state.runs): LiveRequest => ({
    request: {
      ...request,
      ...patch,
      run: latestRun(runs, request.run),
      runs: runs.map((r) => withKind(r, request.run)),
      updatedAt: event.at,
    },
    runs,
    lastEventId: event.id,
  });
  switch (event.kind) {
    case 'request.status': {
      const { status, statusReason } = event.data;
      // Once decided (or withdrawn) no level waits any more; the timeline must not keep one.
      const pendingLevel = AWAITING_DECISION.includes(status) ? request.pendingLevel : null;
      return next({ status, statusReason, pendingLevel });
    }
    case 'approval': {
      const { level, decision, by, byName, role, comment, at } = event.data;
      // The decided level no longer waits; a next level (if any) is read again by the page (useLiveRequest).
      const pendingLevel =
        decision === 'approved' && request.pendingLevel && request.pendingLevel.level !== level ? request.pendingLevel : null;
      return next({ approvals: [...request.approvals, { level, decision, by, byName, role, comment, at }], pendingLevel });
    }
    case 'run': {
      const { runId, kind, status, attempt, progress, currentStep, error } = event.data;
      return next(
        {},
        withRun(state, runId, (run) => ({ ...run, kind, status, attempt, progress, currentStep, error })),
      );
    }
    case 'run.step': {
      const { runId, position, ...step } = event.data;
      const runs = withRun(state, runId, (run) => {
        const others = run.steps.filter((s) => s.key !== step.key);
        const steps = [...others, { ...step, position }].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
        return {
          ...run,
          steps: run.steps.some((s) => s.key === step.key)
            ? run.steps.map((s) => (s.key === step.key ? { ...s, ...step, position } : s))
            : steps,
        };
      });
      return next({}, runs);
    }
    case 'vm': {
      const { vmId, state: vmState, node, vmid } = event.data;
      return next({
        vm: {
          id: vmId,
          node,
          vmid,
          state: vmState,
          ipAddress: request.vm?.ipAddress ?? request.ipAddress,
          hostKeyFingerprint: request.vm?.hostKeyFingerprint ?? null,
          publicEndpoint: request.vm?.publicEndpoint ?? null,
        },
      });
    }
    case 'address': {
      const address = event.data.held ? event.data.address : null;
      return next({ ipAddress: address, vm: request.vm ? { ...request.vm, ipAddress: address } : null });
    }
  }
}

/**
 * Whether a failed run was followed by a later run of the same kind (an operator's retry): its
 * failure is history, not the request's state.
 */
export function isSuperseded(runs: readonly RunView[], index: number): boolean {
  const run = runs[index];
  return run !== undefined && run.status === 'failed' && runs.slice(index + 1).some((later) => later.kind === run.kind);
}
