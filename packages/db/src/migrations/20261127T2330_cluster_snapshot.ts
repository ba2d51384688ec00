import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * The cluster as the worker last saw it, so the API can show nodes, capacity and health without
 * ever calling Proxmox itself (only the worker talks to Proxmox).
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE cluster_nodes (
      node text PRIMARY KEY CHECK (node ~ '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$'),
      online boolean NOT NULL,
      stats_visible boolean NOT NULL,
      cpu_usage double precision CHECK (cpu_usage >= 0),
      cpu_count integer CHECK (cpu_count >= 0),
      mem_total_bytes bigint CHECK (mem_total_bytes >= 0),
      mem_used_bytes bigint CHECK (mem_used_bytes >= 0),
      storages jsonb NOT NULL DEFAULT '[]',
      observed_at timestamptz NOT NULL
    );
  `.execute(db);
}

/** Drops what `up` created. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS cluster_nodes`.execute(db);
}
