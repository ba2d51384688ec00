import { sql } from 'kysely';
import type { Executor } from '../database';

type IpPoolRow = {
  id: string;
  name: string;
  cidr: string;
  gateway: string;
  vlanTag: number | null;
  bridge: string;
  dnsServers: string[];
  searchDomain: string | null;
  rangeStart: string;
  rangeEnd: string;
  institutionId: string | null;
  size: number;
  held: number;
};

function poolQuery(db: Executor) {
  return db
    .selectFrom('ipPools')
    .select([
      'id',
      'name',
      sql<string>`cidr::text`.as('cidr'),
      sql<string>`host(gateway)`.as('gateway'),
      'vlanTag',
      'bridge',
      sql<string[]>`array(select host(d) from unnest(dns_servers) d)`.as('dnsServers'),
      'searchDomain',
      sql<string>`host(range_start)`.as('rangeStart'),
      sql<string>`host(range_end)`.as('rangeEnd'),
      'institutionId',
      sql<number>`(range_end - range_start + 1)::int`.as('size'),
      sql<number>`(select count(*)::int from ip_allocations a where a.pool_id = ip_pools.id and a.released_at is null)`.as('held'),
    ]);
}

/** Every pool with its size and held count. */
export async function listIpPools(db: Executor): Promise<IpPoolRow[]> {
  return poolQuery(db).orderBy('name').execute();
}

/** One pool. */
export async function findIpPool(db: Executor, id: string): Promise<IpPoolRow | undefined> {
  return poolQuery(db).where('id', '=', id).executeTakeFirst();
}

/** Inserts a pool; the CIDR/gateway/range consistency is checked by the database. */
export async function insertIpPool(db: Executor, p: Omit<IpPoolRow, 'id' | 'size' | 'held'>): Promise<string> {
  const row = await db
    .insertInto('ipPools')
    .values({ ...p, dnsServers: sql<string[]>`${p.dnsServers}::inet[]` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The pool to allocate from for an institution: its own pool with free addresses first, then a
 * shared one (institution_id null). Undefined when none has room.
 */
export async function choosePoolFor(db: Executor, institutionId: string): Promise<IpPoolRow | undefined> {
  const pools = await poolQuery(db)
    .where((eb) => eb.or([eb('institutionId', '=', institutionId), eb('institutionId', 'is', null)]))
    .orderBy(sql`institution_id is null`)
    .orderBy('name')
    .execute();
  return pools.find((p) => p.held < p.size);
}
