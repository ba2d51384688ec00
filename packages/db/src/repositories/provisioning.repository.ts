import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

/** Everything a provisioning run reads about its request, in one shape. */
export type ProvisionContext = {
  request: {
    id: string;
    institutionId: string;
    requestedBy: string;
    hostname: string;
    templateId: string;
    cores: number;
    memoryMiB: number;
    diskGiB: number;
    sshPublicKeys: string[];
    ports: number[];
    publicAccess: boolean;
    contact: unknown;
    status: string;
  };
  institution: { id: string; code: string; name: string };
  requester: { email: string; locale: string } | undefined;
  template:
    | {
        id: string;
        name: string;
        osFamily: string;
        pveTemplateVmid: number;
        pveNode: string | null;
        storage: string | null;
        isActive: boolean;
      }
    | undefined;
  /** The template's per-node copies (empty when the catalog has only the one vmid above). */
  templateNodes: Array<{ node: string; pveTemplateVmid: number; storage: string | null }>;
  /**
   * A restore into a new VM: the backup the VM is restored from instead of cloned from the
   * template (`vps_requests.restore_from_backup_id`), with its archive; absent for a plain request.
   */
  restoreFrom?: { backupId: string; volid: string | null; outcome: string; storage: string; node: string; sourceVmId: string };
};

/** Loads request, institution, requester and template by request id; undefined when the request is gone or adopted (no template). */
export async function loadProvisionContext(db: Executor, requestId: string): Promise<ProvisionContext | undefined> {
  const request = await db
    .selectFrom('vpsRequests')
    .select([
      'id',
      'institutionId',
      'requestedBy',
      'hostname',
      'templateId',
      'cores',
      'memoryMiB',
      'diskGiB',
      'sshPublicKeys',
      'ports',
      'publicAccess',
      'contact',
      'status',
      'restoreFromBackupId',
    ])
    .where('id', '=', requestId)
    // An adopted VM's request has no template: it is never provisioned.
    .where('templateId', 'is not', null)
    .$narrowType<{ templateId: string }>()
    .executeTakeFirst();
  if (!request) return undefined;
  const { restoreFromBackupId, ...requestFields } = request;
  const [institution, requester, template, templateNodes, backup] = await Promise.all([
    db.selectFrom('institutions').select(['id', 'code', 'name']).where('id', '=', request.institutionId).executeTakeFirstOrThrow(),
    db.selectFrom('users').select(['email', 'locale']).where('id', '=', request.requestedBy).executeTakeFirst(),
    db
      .selectFrom('catalogTemplates')
      .select(['id', 'name', 'osFamily', 'pveTemplateVmid', 'pveNode', 'storage', 'isActive'])
      .where('id', '=', request.templateId)
      .executeTakeFirst(),
    db
      .selectFrom('catalogTemplateNodes')
      .select(['node', 'pveTemplateVmid', 'storage'])
      .where('templateId', '=', request.templateId)
      .orderBy('node')
      .execute(),
    restoreFromBackupId
      ? db
          .selectFrom('vmBackups')
          .select(['id', 'volid', 'outcome', 'storage', 'node', 'vmId'])
          .where('id', '=', restoreFromBackupId)
          .executeTakeFirst()
      : undefined,
  ]);
  const restoreFrom = backup
    ? {
        backupId: backup.id,
        volid: backup.volid,
        outcome: backup.outcome,
        storage: backup.storage,
        node: backup.node,
        sourceVmId: backup.vmId,
      }
    : undefined;
  return {
    request: { ...requestFields, ports: requestFields.ports ?? [] },
    institution,
    requester,
    template,
    templateNodes,
    ...(restoreFrom ? { restoreFrom } : {}),
  };
}

export type AddressLease = {
  allocationId: string;
  address: string;
  poolId: string;
  prefix: number;
  gateway: string;
  bridge: string;
  vlanTag: number | null;
  dnsServers: string[];
  searchDomain: string | null;
};

function parseInetArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value
      .replace(/^\{|\}$/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return [];
}

/** The primary address currently held for a request (unreleased allocation) with its pool's network facts. */
export async function heldAddress(db: Executor, requestId: string): Promise<AddressLease | undefined> {
  const row = await db
    .selectFrom('ipAllocations as a')
    .innerJoin('ipPools as p', 'p.id', 'a.poolId')
    .select([
      'a.id as allocationId',
      sql<string>`host(a.address)`.as('address'),
      'a.poolId',
      sql<number>`masklen(p.cidr)`.as('prefix'),
      sql<string>`host(p.gateway)`.as('gateway'),
      'p.bridge',
      'p.vlanTag',
      'p.dnsServers',
      'p.searchDomain',
    ])
    .where('a.requestId', '=', requestId)
    .where('a.releasedAt', 'is', null)
    .where('a.isPrimary', '=', true)
    .executeTakeFirst();
  return row ? { ...row, prefix: Number(row.prefix), dnsServers: parseInetArray(row.dnsServers) } : undefined;
}

/** The pool a request's last (possibly released) allocation came from. */
export async function lastPoolOfRequest(db: Executor, requestId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('ipAllocations')
    .select('poolId')
    .where('requestId', '=', requestId)
    .orderBy('reservedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.poolId;
}

/**
 * Reserves the lowest free address of a pool's range for a request (a re-queued run whose
 * address was released). Serialised per pool by a row lock on the pool; the partial unique
 * indexes keep one held primary address per request and per pool address. Returns undefined when the
 * pool is exhausted.
 */
export async function allocateAddress(tx: Tx, poolId: string, requestId: string): Promise<string | undefined> {
  await tx.selectFrom('ipPools').select('id').where('id', '=', poolId).forUpdate().executeTakeFirst();
  const { rows } = await sql<{ address: string }>`
    INSERT INTO ip_allocations (pool_id, address, request_id)
    SELECT p.id, p.range_start + n, ${requestId}::uuid
    FROM ip_pools p, generate_series(0::bigint, (p.range_end - p.range_start)) AS n
    WHERE p.id = ${poolId}::uuid
      AND p.range_start + n <> p.gateway
      AND NOT EXISTS (SELECT 1 FROM ip_allocations a WHERE a.pool_id = p.id AND a.address = p.range_start + n AND a.released_at IS NULL)
    ORDER BY n
    LIMIT 1
    RETURNING host(address) AS address`.execute(tx);
  return rows[0]?.address;
}

/** Links the held allocations of a request to its VM row. */
export async function linkAddressToVm(db: Executor, requestId: string, vmId: string): Promise<void> {
  await db.updateTable('ipAllocations').set({ vmId }).where('requestId', '=', requestId).where('releasedAt', 'is', null).execute();
}

/** Releases every address the request holds (kept as history with a reason). Returns how many were released. */
export async function releaseAddress(db: Executor, requestId: string, reason: string): Promise<number> {
  const r = await db
    .updateTable('ipAllocations')
    .set({ releasedAt: sql<Date>`now()`, releaseReason: reason.slice(0, 500) })
    .where('requestId', '=', requestId)
    .where('releasedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** E-mail addresses of active operators (for failure notices). */
export async function operatorEmails(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('userRoles', 'userRoles.userId', 'users.id')
    .select('users.email')
    .where('userRoles.role', '=', 'operator')
    .where('users.isActive', '=', true)
    .orderBy('users.email')
    .execute();
  return [...new Set(rows.map((r) => r.email))].slice(0, 20);
}

/** Institutions that have an agreement in force today (status in_force and today within its term). */
export async function institutionsWithAgreementInForce(db: Executor): Promise<Set<string>> {
  const rows = await db
    .selectFrom('agreements')
    .select('institutionId')
    .where('status', '=', 'in_force')
    .where(sql<boolean>`current_date BETWEEN term_start AND term_end`)
    .execute();
  return new Set(rows.map((r) => r.institutionId));
}
