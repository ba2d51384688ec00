import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Browser serial consoles: one row per console a user opened on a VM. The row is made with a
 * one-use ticket (stored as its SHA-256; the secret itself never) that the browser's websocket
 * must present within seconds; it then records when the session opened and ended and why, so
 * the audit trail can show the duration and a session cut by a crashed API can be found.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE console_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      vm_id uuid NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      ticket_hash text NOT NULL UNIQUE CHECK (length(ticket_hash) BETWEEN 1 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      opened_at timestamptz,
      ended_at timestamptz,
      end_reason text CHECK (end_reason IS NULL OR length(end_reason) BETWEEN 1 AND 40),
      CHECK (expires_at > created_at),
      CHECK (ended_at IS NULL OR opened_at IS NOT NULL)
    );
    CREATE INDEX console_sessions_vm_id ON console_sessions (vm_id);
    CREATE INDEX console_sessions_user_id ON console_sessions (user_id);
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS console_sessions;`.execute(db);
}
