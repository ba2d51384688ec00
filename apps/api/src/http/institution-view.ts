import {
  PERSON_WRITTEN_FAILURE_CODES,
  bilingualReason,
  institutionFailureReason,
  seesAllInstitutions,
  type Actor,
  type AuditEntryDto,
  type VpsRequestDto,
} from '@betang/core';

/**
 * What people of an institution see of operational detail. The data-center roles (admin,
 * operator, dc_head, auditor) see everything; institution heads and staff see a humane reason
 * instead of the worker's failure text (Proxmox and validation messages), no node names or step
 * details, and no IP addresses or user agents in the audit log (docs/security.md §15).
 */
export function seesOperationalDetail(actor: Actor): boolean {
  return seesAllInstitutions(actor);
}

type RunError = { code: string | null; message: string; retryable: boolean | null };

function humaneError<E extends RunError>(error: E): E {
  if (error.code !== null && PERSON_WRITTEN_FAILURE_CODES.has(error.code)) return error;
  return { ...error, message: bilingualReason(institutionFailureReason(error.code)) };
}

/**
 * The request view as `actor` may see it. Guarantees: unchanged for data-center roles; for
 * institution roles a failed request's reason and every run's error are the humane text of the
 * failure code, and step details and the VM's node are removed (null).
 */
export function requestViewFor(actor: Actor, view: VpsRequestDto): VpsRequestDto {
  if (seesOperationalDetail(actor)) return view;
  type Run = NonNullable<VpsRequestDto['run']>;
  const humaneRun = (r: Run): Run => ({
    ...r,
    steps: r.steps.map((s) => ({ ...s, detail: null })),
    error: r.error && humaneError(r.error),
  });
  const run = view.run && humaneRun(view.run);
  return {
    ...view,
    statusReason: view.status === 'failed' ? bilingualReason(institutionFailureReason(view.run?.error?.code)) : view.statusReason,
    run,
    ...(view.runs ? { runs: view.runs.map(humaneRun) } : {}),
    vm: view.vm && { ...view.vm, node: null },
  };
}

/**
 * The data of a live event (`GET /vps-requests/:id/events`) as `actor` may see it, by the same
 * rules as requestViewFor. A `request.status` event does not carry the failure code, so a failed
 * status gets the general humane reason; the `run` event of the same commit carries the coded one.
 */
export function eventDataFor(actor: Actor, kind: string, data: unknown): unknown {
  if (seesOperationalDetail(actor) || typeof data !== 'object' || data === null) return data;
  const d = data as Record<string, unknown>;
  switch (kind) {
    case 'snapshot':
      return requestViewFor(actor, data as VpsRequestDto);
    case 'request.status':
      return d.status === 'failed' ? { ...d, statusReason: bilingualReason(institutionFailureReason(null)) } : d;
    case 'run':
      return d.error && typeof d.error === 'object' ? { ...d, error: humaneError(d.error as RunError) } : d;
    case 'run.step':
      return { ...d, detail: null };
    case 'vm':
      return { ...d, node: null };
    default:
      return d;
  }
}

/**
 * An audit entry as `actor` may see it: institution roles never see where data-center staff (or
 * anyone) acted from — the IP address is removed, as is a node name recorded by the worker.
 */
export function auditEntryFor<E extends Pick<AuditEntryDto, 'ip' | 'before' | 'after'>>(actor: Actor, entry: E): E {
  if (seesOperationalDetail(actor)) return entry;
  return { ...entry, ip: null, before: withoutNode(entry.before), after: withoutNode(entry.after) };
}

function withoutNode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('node' in value)) return value;
  const { node: _node, ...rest } = value as Record<string, unknown>;
  return rest;
}
