/**
 * The 3-worker variant of the chaos suite: imported BEFORE provisioning.chaos.test.ts, it sets the
 * defaults that file reads when it loads (anything set in the environment still wins). Three
 * worker processes share placement, clone slots and vmid/address reservation through PostgreSQL
 * only, so this is the variant that would catch one of them deciding alone.
 */
process.env.CHAOS_WORKERS ??= '3';
