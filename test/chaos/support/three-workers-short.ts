/**
 * The short 3-worker chaos variant run by `npm test` (CI): few requests, few kills, one of each
 * infrastructure restart, one kill during the nightly backups, two in-place restores and one into a
 * new VM. Imported BEFORE provisioning.chaos.test.ts (it reads these
 * when it loads); anything set in the environment still wins.
 */
process.env.CHAOS_WORKERS ??= '3';
process.env.CHAOS_REQUESTS ??= '12';
process.env.CHAOS_KILLS ??= '3';
process.env.CHAOS_RESTORES ??= '2';
process.env.CHAOS_RESTORE_KILLS ??= '1';
process.env.CHAOS_BACKUP_KILLS ??= '1';
process.env.CHAOS_NEW_VM_RESTORES ??= '1';
process.env.CHAOS_DEADLINE_SECONDS ??= '240';
// A killed worker's job comes back after its lock expires and the next stall check (30 s + 30 s by
// default); shorter here so the short variant spends its time on work, not on waiting. The
// workers inherit these (testkit's spawnTs passes this environment on).
process.env.QUEUE_LOCK_DURATION_MS ??= '10000';
process.env.QUEUE_STALLED_INTERVAL_MS ??= '5000';
