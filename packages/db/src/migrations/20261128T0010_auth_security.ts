import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Sign-in security:
 * - `rate_limit_buckets`: fixed-window counters shared by every API instance (one row per key,
 *   bumped with an atomic upsert; expired rows are pruned by the API as it writes).
 * - `api_tokens.scopes` (text[] limited to the known scopes, at least one) and a required
 *   `expires_at` at most 366 days after creation. Tokens that existed before keep the power they
 *   had (every scope) and expire 90 days from now, or a year after creation if that is sooner.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE rate_limit_buckets (
      key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
      hits integer NOT NULL CHECK (hits >= 0),
      reset_at timestamptz NOT NULL
    );
    CREATE INDEX rate_limit_buckets_reset_at ON rate_limit_buckets (reset_at);

    ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['read']::text[];
    UPDATE api_tokens SET scopes = ARRAY['read', 'requests:write', 'inventory:write', 'operate', 'admin']::text[];
    UPDATE api_tokens SET expires_at = LEAST(now() + interval '90 days', created_at + interval '365 days') WHERE expires_at IS NULL;
    UPDATE api_tokens SET expires_at = created_at + interval '365 days' WHERE expires_at > created_at + interval '365 days';
    ALTER TABLE api_tokens
      ALTER COLUMN expires_at SET NOT NULL,
      ADD CONSTRAINT api_tokens_scopes_known CHECK (
        cardinality(scopes) >= 1
        AND scopes <@ ARRAY['read', 'requests:write', 'inventory:write', 'operate', 'admin']::text[]
      ),
      ADD CONSTRAINT api_tokens_expiry_within_a_year CHECK (expires_at <= created_at + interval '366 days');
  `.execute(db);
}

/** Drops what `up` created (expiries stay set). */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE api_tokens
      DROP CONSTRAINT IF EXISTS api_tokens_expiry_within_a_year,
      DROP CONSTRAINT IF EXISTS api_tokens_scopes_known,
      ALTER COLUMN expires_at DROP NOT NULL,
      DROP COLUMN IF EXISTS scopes;
    DROP TABLE IF EXISTS rate_limit_buckets;
  `.execute(db);
}
