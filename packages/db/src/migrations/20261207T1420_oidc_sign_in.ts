import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Single sign-on through an OpenID Connect provider:
 * - `oidc_login_states`: one row per sign-in started, keyed by the SHA-256 of its `state` (the
 *   value itself lives only in the browser's short-lived cookie), with the nonce and PKCE
 *   verifier the callback needs; it is taken once (`used_at`) and only before it expires, so a
 *   replayed callback is refused.
 * - `oidc_identities`: a person as the provider names them (issuer + subject) with what it said
 *   about them; `user_id` is the Betang user they are linked to, or NULL while they wait for an
 *   admin to give them an institution and a role (they get no access until then).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE oidc_login_states (
      state_hash text PRIMARY KEY CHECK (length(state_hash) BETWEEN 1 AND 100),
      nonce text NOT NULL CHECK (length(nonce) BETWEEN 1 AND 200),
      code_verifier text NOT NULL CHECK (length(code_verifier) BETWEEN 43 AND 128),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at)
    );
    CREATE INDEX oidc_login_states_expires_at ON oidc_login_states (expires_at);

    CREATE TABLE oidc_identities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      email text CHECK (length(email) <= 320),
      email_verified boolean NOT NULL DEFAULT false,
      name text CHECK (length(name) <= 200),
      nip text CHECK (nip ~ '^[0-9]{18}$'),
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      linked_at timestamptz,
      linked_by uuid REFERENCES users(id) ON DELETE SET NULL,
      UNIQUE (issuer, subject),
      CHECK ((user_id IS NULL) = (linked_at IS NULL))
    );
    CREATE UNIQUE INDEX oidc_identities_user_issuer ON oidc_identities (user_id, issuer) WHERE user_id IS NOT NULL;
    CREATE INDEX oidc_identities_pending ON oidc_identities (first_seen_at) WHERE user_id IS NULL;
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS oidc_identities;
    DROP TABLE IF EXISTS oidc_login_states;
  `.execute(db);
}
