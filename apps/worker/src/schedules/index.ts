import type { QueueBackend } from '@betang/queue';

/**
 * Registers the repeatable jobs. Upserting a scheduler by id is idempotent, so every worker
 * instance may call this at start without creating duplicates.
 */
export async function registerSchedules(backend: QueueBackend, options: { reconcileEverySeconds?: number } = {}): Promise<void> {
  const maintenance = backend.createQueue('maintenance');
  try {
    await maintenance.upsertJobScheduler('purge-sessions', { every: 60 * 60_000 }, { name: 'maintenance.purge-sessions', data: {} });
    await maintenance.upsertJobScheduler('runs-reap', { every: 60_000 }, { name: 'runs.reap', data: {} });
    await maintenance.upsertJobScheduler('agreements-sweep', { every: 60 * 60_000 }, { name: 'agreements.sweep', data: {} });
    await maintenance.upsertJobScheduler('notifications-sweep', { every: 10 * 60_000 }, { name: 'notifications.sweep', data: {} });
    // hourly, though its steps are daily: a worker down at midnight catches up within the hour
    await maintenance.upsertJobScheduler('leases-sweep', { every: 60 * 60_000 }, { name: 'leases.sweep', data: {} });
    await maintenance.upsertJobScheduler('decommission-sweep', { every: 10 * 60_000 }, { name: 'decommission.sweep', data: {} });
    await maintenance.upsertJobScheduler('snapshots-prune', { every: 60 * 60_000 }, { name: 'snapshots.prune', data: {} });
    // Every 6 hours; the reminder itself goes out once per institution and WIB week (pic.remind's reason).
    await maintenance.upsertJobScheduler('pic-remind', { every: 6 * 60 * 60_000 }, { name: 'pic.remind', data: {} });
    await maintenance.upsertJobScheduler('backups-sweep', { every: 2 * 60_000 }, { name: 'backups.sweep', data: {} });
    await maintenance.upsertJobScheduler('public-endpoints-probe', { every: 10 * 60_000 }, { name: 'public-endpoints.probe', data: {} });
    await maintenance.upsertJobScheduler('backups-test-restore', { every: 60_000 }, { name: 'backups.test-restore', data: {} });
    await maintenance.upsertJobScheduler(
      'prune-request-events',
      { every: 24 * 60 * 60_000 },
      { name: 'maintenance.prune-request-events', data: {} },
    );
    if (options.reconcileEverySeconds) {
      await maintenance.upsertJobScheduler(
        'reconcile-cluster',
        { every: options.reconcileEverySeconds * 1000 },
        { name: 'reconcile.cluster', data: {} },
      );
      await maintenance.upsertJobScheduler('cluster-snapshot', { every: 30_000 }, { name: 'cluster.snapshot', data: {} });
      await maintenance.upsertJobScheduler('estate-census', { every: 10 * 60_000 }, { name: 'estate.census', data: {} });
    } else {
      await maintenance.removeJobScheduler('reconcile-cluster');
      await maintenance.removeJobScheduler('cluster-snapshot');
      await maintenance.removeJobScheduler('estate-census');
    }
  } finally {
    await maintenance.close();
  }
}

/**
 * Puts the schedules back whenever they are missing (Redis restarted without its data loses
 * them, and with them the reaper that re-enqueues lost runs). Checks one scheduler id every
 * `everyMs`; registering is idempotent, so several workers doing it at once is harmless. A
 * failed check (queue unreachable) is retried at the next tick.
 */
export function keepSchedules(
  backend: QueueBackend,
  options: { reconcileEverySeconds?: number } = {},
  everyMs = 30_000,
): { stop(): Promise<void> } {
  const maintenance = backend.createQueue('maintenance');
  let round: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    round = (async () => {
      if (!(await maintenance.getJobScheduler('runs-reap'))) await registerSchedules(backend, options);
    })().catch(() => undefined);
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
      await maintenance.close();
    },
  };
}
