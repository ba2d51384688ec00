/**
 * The short 3-worker chaos variant run by `npm test` (CI): few requests, few kills, one of each
 * infrastructure restart, two restores. Imported BEFORE provisioning.chaos.test.ts (it reads these
 * when it loads); anything set in the environment still wins.
 */
process.env.CHAOS_WORKERS ??= '3';
process.env.CHAOS_REQUESTS ??= '12';
process.env.CHAOS_KILLS ??= '3';
process.env.CHAOS_RESTORES ??= '2';
process.env.CHAOS_RESTORE_KILLS ??= '1';
process.env.CHAOS_DEADLINE_SECONDS ??= '240';
