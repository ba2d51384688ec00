import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Sign-in delays instead of account locks, TOTP replay protection, TOTP secrets at rest:
 * - `login_throttle`: one row per (e-mail, client address) and one per e-mail (`ip_hash = '*'`),
 *   keyed by SHA-256 hashes, holding a failure count that decays with time (one failure forgiven per
 *   period since `updated_at`), the end of the current delay and the last successful sign-in from that address. It replaces the per-account lock
 *   (`users.failed_logins`, `users.locked_until`, dropped): a lock on the account let anyone who
 *   knew an e-mail keep its owner out, and told them the e-mail existed.
 * - `users.totp_last_step`: the last accepted TOTP time-step (30 s counter), so a code is accepted once.
 * - TOTP secrets are NOT encrypted here: the key is derived from SIGNING_MASTER_SECRET, which the
 *   migration process does not have (it needs only DATABASE_URL). The API encrypts every plain
 *   secret when it starts and any it still meets on use (docs/security.md, finding 7).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE login_throttle (
      email_hash text NOT NULL CHECK (length(email_hash) BETWEEN 1 AND 100),
      ip_hash text NOT NULL CHECK (length(ip_hash) BETWEEN 1 AND 100),
      failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      blocked_until timestamptz,
      last_success_at timestamptz,
      PRIMARY KEY (email_hash, ip_hash)
    );
    CREATE INDEX login_throttle_updated_at ON login_throttle (updated_at);

    ALTER TABLE users
      DROP COLUMN failed_logins,
      DROP COLUMN locked_until,
      ADD COLUMN totp_last_step bigint CHECK (totp_last_step >= 0);
  `.execute(db);
}

/** Restores the per-account lock columns (counters start at zero) and drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE users
      DROP COLUMN IF EXISTS totp_last_step,
      ADD COLUMN IF NOT EXISTS failed_logins integer NOT NULL DEFAULT 0,
      ADD COLUMN IF NOT EXISTS locked_until timestamptz;
    DROP TABLE IF EXISTS login_throttle;
  `.execute(db);
}
