import { sql, type Kysely } from 'kysely';

// Untyped on purpose: migrations describe history and never import application code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Public endpoints of VMs reachable from the internet: a public address from the office's pool,
 * mapped 1:1 (NAT) to the VM's private address for its declared ports, with the ports that
 * answered the worker's probe. One held endpoint per request and per public address (partial
 * unique indexes), so an allocation retried after a crash finds the one it made; a released
 * endpoint stays as history.
 */
export async function up(db: AnyDb): Promise<void> {
  await sql`
    CREATE TABLE public_endpoints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      request_id uuid NOT NULL REFERENCES vps_requests(id),
      vm_id uuid REFERENCES vms(id),
      mechanism text NOT NULL CHECK (mechanism IN ('nat')),
      public_address inet NOT NULL,
      private_address inet NOT NULL,
      ports integer[] NOT NULL DEFAULT '{}' CHECK (1 <= ALL (ports) AND 65535 >= ALL (ports)),
      open_ports integer[],
      probed_at timestamptz,
      reserved_at timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz,
      release_reason text,
      CHECK ((open_ports IS NULL) = (probed_at IS NULL)),
      CHECK ((released_at IS NULL) = (release_reason IS NULL))
    );
    CREATE UNIQUE INDEX public_endpoints_held_address_uq ON public_endpoints (public_address) WHERE released_at IS NULL;
    CREATE UNIQUE INDEX public_endpoints_one_per_request_uq ON public_endpoints (request_id) WHERE released_at IS NULL;
    CREATE INDEX public_endpoints_vm_idx ON public_endpoints (vm_id);
  `.execute(db);
}

/** Drops the table and its history. */
export async function down(db: AnyDb): Promise<void> {
  await sql`DROP TABLE IF EXISTS public_endpoints;`.execute(db);
}
