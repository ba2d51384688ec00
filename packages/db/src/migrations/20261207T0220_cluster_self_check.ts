import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The worker's last self-check of the Proxmox setup (token permissions per path, pool,
 * storages, bridges, templates): one row, replaced on every check, read by the cluster page.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE cluster_self_check (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      checked_at timestamptz NOT NULL,
      pve_version text,
      problems integer NOT NULL CHECK (problems >= 0),
      findings jsonb NOT NULL DEFAULT '[]'::jsonb
    );
  `.execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE cluster_self_check;`.execute(db);
}
