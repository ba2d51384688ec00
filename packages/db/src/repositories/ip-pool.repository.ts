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

/** One address of a pool's range and who holds it (null: free). */
export type PoolAddressRow = {
  /** Position in the range, 0 = range start (the keyset of the listing). */
  position: number;
  address: string;
  isGateway: boolean;
  holder: {
    requestId: string;
    hostname: string;
    requestStatus: string;
    institutionId: string;
    institutionName: string;
    vmId: string | null;
    vmid: number | null;
    vmState: string | null;
    reservedAt: Date;
    /** False for an extra address an adopted VM keeps (not the one Betang configures and shows). */
    primary: boolean;
  } | null;
};

type RawPoolAddress = {
  position: number;
  address: string;
  isGateway: boolean;
  requestId: string | null;
  hostname: string | null;
  requestStatus: string | null;
  institutionId: string | null;
  institutionName: string | null;
  vmId: string | null;
  vmid: number | null;
  vmState: string | null;
  reservedAt: Date | null;
  isPrimary: boolean | null;
};

/**
 * The addresses of a pool's range in order, each with its holder (the live allocation's request,
 * institution and VM) or none, from position `after + 1`, at most `limit`; `only` keeps held or
 * free ones. The range is generated, not stored, so a free address needs no row; the listing
 * reads at most `limit` positions past the cursor plus the skipped ones of the other kind.
 */
export async function listPoolAddresses(
  db: Executor,
  poolId: string,
  options: { after?: number | undefined; limit: number; only?: 'held' | 'free' | undefined },
): Promise<PoolAddressRow[]> {
  const after = options.after ?? -1;
  const only = options.only ?? null;
  const { rows } = await sql<RawPoolAddress>`
    SELECT g.position::int AS position, host(p.range_start + g.position) AS address,
           (p.range_start + g.position) = p.gateway AS is_gateway,
           a.request_id, r.hostname, r.status AS request_status, r.institution_id, i.name AS institution_name,
           v.id AS vm_id, v.vmid, v.state AS vm_state, a.reserved_at, a.is_primary
    FROM ip_pools p
    CROSS JOIN LATERAL generate_series(${after + 1}::bigint, (p.range_end - p.range_start)) AS g(position)
    LEFT JOIN ip_allocations a ON a.pool_id = p.id AND a.released_at IS NULL AND a.address = p.range_start + g.position
    LEFT JOIN vps_requests r ON r.id = a.request_id
    LEFT JOIN institutions i ON i.id = r.institution_id
    LEFT JOIN LATERAL (
      SELECT vm.id, vm.vmid, vm.state FROM vms vm WHERE vm.request_id = a.request_id ORDER BY vm.created_at DESC LIMIT 1
    ) v ON true
    WHERE p.id = ${poolId}
      AND (${only}::text IS NULL OR (${only}::text = 'held') = (a.id IS NOT NULL))
    ORDER BY g.position
    LIMIT ${options.limit}
  `.execute(db);
  return rows.map((row) => ({
    position: row.position,
    address: row.address,
    isGateway: row.isGateway,
    holder:
      row.requestId === null
        ? null
        : {
            requestId: row.requestId,
            hostname: row.hostname!,
            requestStatus: row.requestStatus!,
            institutionId: row.institutionId!,
            institutionName: row.institutionName!,
            vmId: row.vmId,
            vmid: row.vmid,
            vmState: row.vmState,
            reservedAt: row.reservedAt!,
            primary: row.isPrimary ?? true,
          },
  }));
}
