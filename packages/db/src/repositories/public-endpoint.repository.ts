import { sql } from 'kysely';
import { lockForTransaction } from '../advisory-lock';
import type { Executor, Tx } from '../database';

/** A VM's public endpoint: its public address mapped 1:1 to its private one for its declared ports. */
export type PublicEndpoint = {
  id: string;
  requestId: string;
  vmId: string | null;
  mechanism: 'nat';
  publicAddress: string;
  privateAddress: string;
  ports: number[];
  /** The declared ports that accepted a TCP connection at `probedAt`; null before the first probe. */
  openPorts: number[] | null;
  probedAt: Date | null;
};

/** Serialises allocations from the public pool across worker processes (the pool lives in settings, not in a row to lock). */
const ALLOCATION_LOCK = 'public-endpoints:allocate';

function endpointQuery(db: Executor) {
  return db
    .selectFrom('publicEndpoints')
    .select([
      'id',
      'requestId',
      'vmId',
      sql<'nat'>`mechanism`.as('mechanism'),
      sql<string>`host(public_address)`.as('publicAddress'),
      sql<string>`host(private_address)`.as('privateAddress'),
      'ports',
      'openPorts',
      'probedAt',
    ])
    .where('releasedAt', 'is', null);
}

/** The endpoint a request holds (unreleased), if any. */
export async function heldPublicEndpoint(db: Executor, requestId: string): Promise<PublicEndpoint | undefined> {
  return endpointQuery(db).where('requestId', '=', requestId).executeTakeFirst();
}

/** Held endpoints of these VMs, by VM id (for the VM and request views). */
export async function publicEndpointsOfVms(db: Executor, vmIds: readonly string[]): Promise<Map<string, PublicEndpoint>> {
  if (vmIds.length === 0) return new Map();
  const rows = await endpointQuery(db)
    .where('vmId', 'in', [...vmIds])
    .execute();
  return new Map(rows.map((r) => [r.vmId ?? '', r]));
}

/** Every held endpoint, by public address (what the edge must map). */
export async function heldPublicEndpoints(db: Executor): Promise<PublicEndpoint[]> {
  return endpointQuery(db).orderBy('publicAddress').execute();
}

/**
 * Gives a request a public address from `pool` (the first, in the pool's order, that no held
 * endpoint uses), mapped to `privateAddress` for `ports`. Exactly once: a request that already
 * holds one gets it back unchanged (a retried step); allocations are serialised by an advisory
 * lock, and the partial unique indexes refuse a second holder of an address or a second endpoint
 * of a request even so. Returns undefined when every address of the pool is held.
 */
export async function allocatePublicEndpoint(
  tx: Tx,
  input: { requestId: string; vmId: string; privateAddress: string; ports: readonly number[]; pool: readonly string[] },
): Promise<PublicEndpoint | undefined> {
  await lockForTransaction(tx, ALLOCATION_LOCK);
  const held = await heldPublicEndpoint(tx, input.requestId);
  if (held) return held;
  if (input.pool.length === 0) return undefined;
  const { rows } = await sql<{ id: string }>`
    INSERT INTO public_endpoints (request_id, vm_id, mechanism, public_address, private_address, ports)
    SELECT ${input.requestId}::uuid, ${input.vmId}::uuid, 'nat', candidate.address, ${input.privateAddress}::inet, ${[...input.ports]}::int[]
    FROM unnest(${[...input.pool]}::inet[]) WITH ORDINALITY AS candidate(address, position)
    WHERE NOT EXISTS (SELECT 1 FROM public_endpoints e WHERE e.public_address = candidate.address AND e.released_at IS NULL)
    ORDER BY candidate.position
    LIMIT 1
    RETURNING id`.execute(tx);
  return rows[0] ? heldPublicEndpoint(tx, input.requestId) : undefined;
}

/** Records which declared ports answered the probe (replacing the last result). */
export async function recordPublicEndpointProbe(db: Executor, id: string, openPorts: readonly number[], at: Date): Promise<void> {
  await db
    .updateTable('publicEndpoints')
    .set({ openPorts: [...openPorts].sort((a, b) => a - b), probedAt: at })
    .where('id', '=', id)
    .where('releasedAt', 'is', null)
    .execute();
}

/** Replaces the declared ports of a request's held endpoint (a port change); the last probe no longer applies. */
export async function setPublicEndpointPorts(db: Executor, requestId: string, ports: readonly number[]): Promise<number> {
  const r = await db
    .updateTable('publicEndpoints')
    .set({ ports: [...ports], openPorts: null, probedAt: null })
    .where('requestId', '=', requestId)
    .where('releasedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Releases the request's held endpoint, its address back to the pool (the row stays as history
 * with the reason). Returns how many were released: 0 on a second call.
 */
export async function releasePublicEndpoint(db: Executor, requestId: string, reason: string): Promise<number> {
  const r = await db
    .updateTable('publicEndpoints')
    .set({ releasedAt: sql<Date>`now()`, releaseReason: reason.slice(0, 500) })
    .where('requestId', '=', requestId)
    .where('releasedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
