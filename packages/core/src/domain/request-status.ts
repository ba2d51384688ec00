/**
 * The VPS request lifecycle — the single source of truth (docs/architecture.md §4).
 * `draft → submitted → approved_level_k… → approved → queued → provisioning → active`,
 * exits `rejected`, `cancelled`, `failed`, and after `active`: `stopped`, `expiring`,
 * `retained` (decommissioned but kept for the grace period; a restore makes it `stopped` again),
 * `decommissioning → decommissioned`.
 */
export const REQUEST_STATUSES = [
  'draft',
  'submitted',
  'partially_approved',
  'approved',
  'queued',
  'provisioning',
  'active',
  'stopped',
  'expiring',
  'retained',
  'decommissioning',
  'decommissioned',
  'rejected',
  'cancelled',
  'failed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Every allowed move of a request; the db writer (`transitionRequest`) refuses any other. */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  draft: ['submitted', 'cancelled'],
  // A final approval queues the request at once (IP reserved, run + job in one transaction).
  submitted: ['partially_approved', 'approved', 'queued', 'rejected', 'cancelled'],
  partially_approved: ['partially_approved', 'approved', 'queued', 'rejected', 'cancelled'],
  approved: ['queued', 'provisioning', 'cancelled', 'failed'],
  queued: ['provisioning', 'cancelled', 'failed'],
  provisioning: ['active', 'failed'],
  active: ['stopped', 'expiring', 'retained', 'decommissioning'],
  stopped: ['active', 'expiring', 'retained', 'decommissioning'],
  expiring: ['active', 'stopped', 'retained', 'decommissioning'],
  retained: ['stopped', 'decommissioning'],
  decommissioning: ['decommissioned', 'failed'],
  decommissioned: [],
  rejected: [],
  cancelled: [],
  failed: ['queued', 'retained', 'decommissioning'],
};

/** Statuses that hold resources against the institution's quota (pending and active both count). */
export const QUOTA_HOLDING_STATUSES: readonly RequestStatus[] = [
  'submitted',
  'partially_approved',
  'approved',
  'queued',
  'provisioning',
  'active',
  'stopped',
  'expiring',
  'retained',
  'decommissioning',
];

/** Statuses in which the requester may still cancel (until provisioning starts). */
export const CANCELLABLE_STATUSES: readonly RequestStatus[] = ['draft', 'submitted', 'partially_approved', 'approved', 'queued'];

/** True when the lifecycle allows moving from `from` to `to`. */
export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}
