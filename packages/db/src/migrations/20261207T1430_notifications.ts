import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * One notification service:
 * - `notifications`: what a user sees in the in-app centre (bilingual title and body, a link
 *   inside Betang, read or not). `reason` names the cause; unique per recipient, so a cause that
 *   runs twice (a job retried, a sweep run again) notifies once.
 * - `notification_preferences`: per user and kind, whether it is also e-mailed (absent = yes).
 * - `webhook_endpoints`: the office's own channels (a Telegram/WhatsApp gateway), global or for
 *   one institution, with the kinds they want and the secret their bodies are signed with.
 * - `webhook_deliveries`: one row per event and endpoint — the delivery log and the retry queue
 *   at once (status, attempts, next try, last error). Unique per endpoint and reason.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 60),
      title jsonb NOT NULL,
      body jsonb NOT NULL,
      link text CHECK (link IS NULL OR (length(link) <= 500 AND link LIKE '/%')),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      UNIQUE (user_id, reason)
    );
    CREATE INDEX notifications_user_id_id ON notifications (user_id, id DESC);
    CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

    CREATE TABLE notification_preferences (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 60),
      email boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, kind)
    );

    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      url text NOT NULL CHECK (length(url) <= 2000 AND (url LIKE 'http://%' OR url LIKE 'https://%')),
      institution_id uuid REFERENCES institutions(id) ON DELETE CASCADE,
      kinds text[] NOT NULL,
      secret text NOT NULL CHECK (length(secret) BETWEEN 16 AND 200),
      is_active boolean NOT NULL DEFAULT true,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE webhook_deliveries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      kind text NOT NULL,
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      UNIQUE (endpoint_id, reason)
    );
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS webhook_deliveries;
    DROP TABLE IF EXISTS webhook_endpoints;
    DROP TABLE IF EXISTS notification_preferences;
    DROP TABLE IF EXISTS notifications;
  `.execute(db);
}
