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
    if (options.reconcileEverySeconds) {
      await maintenance.upsertJobScheduler('reconcile-cluster', { every: options.reconcileEverySeconds * 1000 }, { name: 'reconcile.cluster', data: {} });
      await maintenance.upsertJobScheduler('cluster-snapshot', { every: 30_000 }, { name: 'cluster.snapshot', data: {} });
    } else {
      await maintenance.removeJobScheduler('reconcile-cluster');
      await maintenance.removeJobScheduler('cluster-snapshot');
    }
  } finally {
    await maintenance.close();
  }
}
