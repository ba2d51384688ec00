import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Re-authentication through the identity provider, and Betang's own TOTP after single sign-on:
 * - `oidc_login_states.purpose`: `sign_in` (a new session) or `reauth` (a fresh login at the
 *   provider for the session named by `session_hash`, which then returns to `return_to`, a path
 *   inside the web app).
 * - `sessions.reauth_until`: until when the session counts as recently re-authenticated at the
 *   provider (sensitive actions accept it in place of the password); `reauth_mfa`: that
 *   re-authentication was multi-factor (so Betang's TOTP is not asked again).
 * - `oidc_second_factors`: a sign-on the provider accepted with one factor, for a user who enrolled
 *   TOTP in Betang: it becomes a session only with a code. Keyed by the SHA-256 of the secret in
 *   the browser's cookie; taken once, short-lived.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    ALTER TABLE oidc_login_states
      ADD COLUMN purpose text NOT NULL DEFAULT 'sign_in' CHECK (purpose IN ('sign_in', 'reauth')),
      ADD COLUMN session_hash text CHECK (length(session_hash) BETWEEN 1 AND 100),
      ADD COLUMN return_to text CHECK (length(return_to) BETWEEN 1 AND 500),
      ADD CONSTRAINT oidc_login_states_reauth_session CHECK ((purpose = 'reauth') = (session_hash IS NOT NULL));

    ALTER TABLE sessions
      ADD COLUMN reauth_until timestamptz,
      ADD COLUMN reauth_mfa boolean NOT NULL DEFAULT false;

    CREATE TABLE oidc_second_factors (
      id_hash text PRIMARY KEY CHECK (length(id_hash) BETWEEN 1 AND 100),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      identity_id uuid NOT NULL REFERENCES oidc_identities(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at)
    );
    CREATE INDEX oidc_second_factors_expires_at ON oidc_second_factors (expires_at);
  `.execute(db);
}

/** Drops what `up` added. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS oidc_second_factors;
    ALTER TABLE sessions DROP COLUMN IF EXISTS reauth_until, DROP COLUMN IF EXISTS reauth_mfa;
    ALTER TABLE oidc_login_states
      DROP CONSTRAINT IF EXISTS oidc_login_states_reauth_session,
      DROP COLUMN IF EXISTS purpose,
      DROP COLUMN IF EXISTS session_hash,
      DROP COLUMN IF EXISTS return_to;
  `.execute(db);
}
