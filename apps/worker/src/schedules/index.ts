import type { QueueBackend } from '@betang/queue';

/**
 * Registers the repeatable jobs. Upserting a scheduler by id is idempotent, so every worker
 * instance may call this at start without creating duplicates.
 */
export async function registerSchedules(backend: QueueBackend): Promise<void> {
  const maintenance = backend.createQueue('maintenance');
  try {
    await maintenance.upsertJobScheduler('purge-sessions', { every: 60 * 60_000 }, { name: 'maintenance.purge-sessions', data: {} });
  } finally {
    await maintenance.close();
  }
}
