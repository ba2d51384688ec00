import { z } from 'zod';

/** Queues Betang uses; each job below belongs to exactly one. */
export const QUEUE_NAMES = ['provisioning', 'notifications', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Retry policy of a job: attempts in total and the first exponential backoff delay. */
type RetryPolicy = { attempts: number; backoffMs: number };

type JobContract<P extends z.ZodType> = {
  queue: QueueName;
  payload: P;
  retry: RetryPolicy;
  /** Deterministic job id so re-enqueueing never duplicates; undefined = BullMQ assigns one. */
  jobId?: (payload: z.infer<P>) => string;
  /** What the handler guarantees when it runs twice for the same payload. */
  idempotency: string;
};

/**
 * The queue job id of a provisioning or day-2 run: `run-<runId>`, or `run-<runId>-r<n>` for an
 * operator's n-th re-queue. One rule for the contracts, the reaper and the tests.
 */
export function runJobId(runId: string, retry?: number): string {
  return retry ? `run-${runId}-r${retry}` : `run-${runId}`;
}

const ZRunJobPayload = z.strictObject({ runId: z.uuid(), retry: z.number().int().min(0).max(1000).optional() });

function contract<P extends z.ZodType>(c: JobContract<P>): JobContract<P> {
  return c;
}

/**
 * The one registry of job contracts (dotted `area.action` names). Payloads carry ids, never
 * entities or secrets: BullMQ stores job data in clear text.
 */
export const JOBS = {
  'maintenance.purge-sessions': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 10_000 },
    idempotency: 'Deletes only sessions already expired; running it twice deletes nothing more.',
  }),
  'agreements.sweep': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 30_000 },
    idempotency:
      'Expires only in_force agreements whose term ended before today (WIB) — a second run finds none; reminders go through the notification service with reason agreement:<id>:expiring:<days>, so each is written at most once.',
  }),
  'pic.remind': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 30_000 },
    idempotency:
      'Only reads which VMs need a new PIC and writes reminders through the notification service with reason pic:reminder:<institution>:<week>, so each institution gets at most one reminder per WIB week however often it runs.',
  }),
  'vm.provision': contract({
    queue: 'provisioning',
    payload: ZRunJobPayload,
    retry: { attempts: 5, backoffMs: 15_000 },
    jobId: (p) => runJobId(p.runId, p.retry),
    idempotency:
      'The run row is the source of truth: finished steps are memoised in run_steps and skipped, every step checks Proxmox before acting (a VM carrying the run marker is adopted, never cloned twice), and a run that already succeeded or failed is left alone. `retry` (an operator re-queue of a failed run) only changes the job id.',
  }),
  'vm.action': contract({
    queue: 'provisioning',
    payload: ZRunJobPayload,
    retry: { attempts: 4, backoffMs: 10_000 },
    jobId: (p) => runJobId(p.runId, p.retry),
    idempotency:
      "Day-2 run (start, shutdown, stop, reboot, resize, decommission, SSH key replacement, snapshot, snapshot rollback, snapshot delete) through the same harness: memoised steps, each checking the VM state first (start skips a running VM, resize never shrinks, destroy only a VM carrying Betang's marker, a snapshot already on Proxmox is not taken again, a rollback this token already started is not sent again, a snapshot gone counts as deleted); a finished run is left alone.",
  }),
  'reconcile.cluster': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 30_000 },
    idempotency:
      'Read-only towards Proxmox; one leader at a time (advisory try-lock); upserts open findings by fingerprint and resolves those no longer seen, so a second run changes nothing when the cluster did not change.',
  }),
  'cluster.snapshot': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 10_000 },
    idempotency: 'Read-only towards Proxmox; replaces the cluster_nodes snapshot as a whole in one transaction.',
  }),
  'estate.census': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 10_000 },
    idempotency:
      'Read-only towards Proxmox; replaces the census of VMs without a Betang marker as a whole in one transaction, keeping the decisions recorded on each VM, so a second run with an unchanged cluster writes the same rows.',
  }),
  'notifications.sweep': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 30_000 },
    idempotency:
      'Tells operators about requests waiting for a decision past the service standard (each notification has the reason vps_request:<id>:approval_overdue, so a second run writes nothing), then prunes old read notifications and finished webhook deliveries (a second run finds none).',
  }),
  'runs.reap': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 30_000 },
    idempotency:
      'Fails only runs still running without a heartbeat and without a live job (row-locked, re-checked in the transaction); a second run finds none of them.',
  }),
  'leases.sweep': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 30_000 },
    idempotency:
      'The lease state machine is stored in vm_leases: each step moves one row (locked, SKIP LOCKED) out of the state it starts from in the same transaction as the run it queues, the kept backup is one row per VM and day, and notices carry reason lease:<vm>:<step>:<day> — a second run finds nothing left to do.',
  }),
  'decommission.sweep': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 30_000 },
    idempotency:
      'Ends the grace period only of VMs still retained past retained_until (row-locked, retained → decommissioning in the same transaction as the destroy run and its job), so a second run finds none; reminders go through the outbox with dedup key decommission-reminder:<vm>:<retainedUntil>, so each is written at most once.',
  }),
  'snapshots.prune': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 60_000 },
    idempotency:
      'Moves each snapshot past the age limit from present to deleting under its row lock, in the same transaction as its snapshot_delete run and job; a second run finds it no longer present and queues nothing.',
  }),
  'backups.sweep': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 60_000 },
    idempotency:
      "Claims each VM's backup of a day by inserting its (vm, backup_date) row before vzdump starts (unique; the per-node count and the claim under one advisory lock), so a second sweep or worker skips it; a row left running by a dead worker is settled from what Proxmox holds (task, then the storage content), never backed up twice the same day; pruning marks the same backups every time.",
  }),
  'public-endpoints.probe': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 60_000 },
    idempotency:
      'Publishes every held public endpoint to the edge (the whole set, under a lock, unchanged files not rewritten) and replaces each running VM’s last probe result; read-only towards the VMs, so a second run writes the same or a newer observation.',
  }),
  'backups.test-restore': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 2, backoffMs: 60_000 },
    idempotency:
      "Runs under one session advisory lock; claims each VM's test of a month by inserting its (vm, period) row with the copy's vmid before anything is asked of Proxmox; every stage moves only from the stage it read (a second sweep finds it moved); a qmrestore whose answer was lost is found again by the vmid's task list, and only a copy with a recorded qmrestore or the test tag is ever destroyed; the month's report is recorded before it is sent.",
  }),
  'maintenance.prune-request-events': contract({
    queue: 'maintenance',
    payload: z.strictObject({}),
    retry: { attempts: 3, backoffMs: 60_000 },
    idempotency:
      'Deletes only live-status events older than the retention and never lowers the watermark; a second run finds nothing older to delete.',
  }),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;

/** Every job name, for the worker's boot check. */
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/**
 * Port through which use cases enqueue work; implemented by packages/queue.
 * Guarantees of implementations: the payload is validated against the contract, and a
 * contract with a jobId rule never creates two live jobs for the same id.
 */
export interface JobProducer {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>): Promise<{ jobId: string }>;
}
