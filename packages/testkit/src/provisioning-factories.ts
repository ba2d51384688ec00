import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { enqueueJob, insertRun, type Db, type RunKind } from '@betang/db';

/** What makeQueuedProvisionRun created: the ids a test needs, plus the request's shape. */
export type QueuedProvision = {
  institutionId: string;
  institutionCode: string;
  requesterId: string;
  requesterEmail: string;
  requestId: string;
  runId: string;
  poolId: string;
  address: string;
  hostname: string;
  templateId: string;
  sshPublicKeys: string[];
  ports: number[];
};

function hex(n: number): string {
  return randomBytes(n).toString('hex');
}

/** A syntactically valid ed25519 public key line (random; nobody holds its private half). */
export function randomSshPublicKey(comment = 'admin@instansi'): string {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), randomBytes(32)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

/**
 * Everything the API writes on a final approval, in one transaction: an institution with a
 * requester (and an agreement in force), a catalog template mapped to the simulator's template
 * VM, an IP pool, the request in status `queued`, the held address, a `provision` run (queued)
 * and the outbox message `{topic:'job', dedupKey:'run:<runId>', payload:{name:'vm.provision', data:{runId}}}`.
 */
export async function makeQueuedProvisionRun(
  db: Db,
  o: {
    templateVmid?: number;
    templateStorage?: string | null;
    templateNode?: string | null;
    templateId?: string;
    cores?: number;
    memoryMiB?: number;
    diskGiB?: number;
    ports?: number[];
    /** Asks for internet access (a public endpoint); default false. */
    publicAccess?: boolean;
    hostname?: string;
    poolOctet?: number;
    poolId?: string;
    sshPublicKeys?: string[];
    withAgreement?: boolean;
    enqueue?: boolean;
  } = {},
): Promise<QueuedProvision> {
  return db.transaction().execute(async (tx) => {
    const code = `DINAS-${hex(3).toUpperCase()}`;
    const inst = await tx
      .insertInto('institutions')
      .values({ code, name: `Dinas Uji ${code}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const email = `pemohon-${hex(4)}@uji.kalteng.go.id`;
    const user = await tx
      .insertInto('users')
      .values({ institutionId: inst.id, email, name: 'Pemohon Uji', passwordHash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.insertInto('userRoles').values({ userId: user.id, role: 'institution_staff' }).execute();
    const app = await tx
      .insertInto('applications')
      .values({
        institutionId: inst.id,
        name: `SIPD ${hex(3)}`,
        kind: 'khusus',
        picName: 'Budi Santoso',
        picNip: '198501012010011001',
        picEmail: 'budi@kalteng.go.id',
        dataClassification: 'rendah',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (o.withAgreement !== false) {
      const year = new Date().getUTCFullYear();
      const doc = Buffer.from(`%PDF uji ${hex(8)}`);
      const sha = hex(32);
      await tx
        .insertInto('agreements')
        .values({
          institutionId: inst.id,
          number: `000.1/${hex(3)}/UJI/${year}`,
          templateVersion: 'test',
          status: 'in_force',
          termStart: `${year - 1}-01-01`,
          termEnd: `${year + 1}-12-31`,
          ceilingCores: 64,
          ceilingMemoryMiB: 262_144,
          ceilingDiskGiB: 4000,
          ceilingVmCount: 32,
          ceilingIpCount: 32,
          verificationCode: hex(8),
          originalDocument: doc,
          originalSha256: sha,
          currentDocument: doc,
          currentSha256: sha,
        })
        .execute();
    }
    const templateId = o.templateId ?? `sim-${hex(3)}`;
    await tx
      .insertInto('catalogTemplates')
      .values({
        id: templateId,
        name: 'Debian 12 (simulator)',
        osFamily: 'debian',
        pveTemplateVmid: o.templateVmid ?? 9000,
        pveNode: o.templateNode === undefined ? 'pve1' : o.templateNode,
        storage: o.templateStorage === undefined ? 'ceph' : o.templateStorage,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    let poolId = o.poolId;
    if (!poolId) {
      const octet = o.poolOctet ?? 20;
      const pool = await tx
        .insertInto('ipPools')
        .values({
          name: `pool-${hex(4)}`,
          cidr: `10.${octet}.0.0/24`,
          gateway: `10.${octet}.0.1`,
          bridge: 'vmbr0',
          vlanTag: null,
          dnsServers: `{10.${octet}.0.2,10.${octet}.0.3}` as unknown as string[],
          searchDomain: 'kalteng.go.id',
          rangeStart: `10.${octet}.0.10`,
          rangeEnd: `10.${octet}.0.250`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      poolId = pool.id;
    }
    const hostname = o.hostname ?? `vps-${hex(3)}`;
    const keys = o.sshPublicKeys ?? [randomSshPublicKey()];
    const ports = o.ports ?? [80, 443];
    const req = await tx
      .insertInto('vpsRequests')
      .values({
        institutionId: inst.id,
        applicationId: app.id,
        requestedBy: user.id,
        hostname,
        templateId,
        cores: o.cores ?? 2,
        memoryMiB: o.memoryMiB ?? 2048,
        diskGiB: o.diskGiB ?? 10,
        sshPublicKeys: keys,
        purpose: 'Uji provisioning',
        publicAccess: o.publicAccess ?? false,
        ports,
        contact: JSON.stringify({ name: 'Budi Santoso', nip: '198501012010011001', phone: '0811', email: 'pic@uji.kalteng.go.id' }),
        status: 'queued',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { rows } = await sql<{ address: string }>`
      INSERT INTO ip_allocations (pool_id, address, request_id)
      SELECT p.id, p.range_start + n, ${req.id}::uuid FROM ip_pools p, generate_series(0::bigint, p.range_end - p.range_start) n
      WHERE p.id = ${poolId}::uuid AND NOT EXISTS (SELECT 1 FROM ip_allocations a WHERE a.pool_id = p.id AND a.address = p.range_start + n AND a.released_at IS NULL)
      ORDER BY n LIMIT 1 RETURNING host(address) AS address`.execute(tx);
    const run = await insertRun(tx, { requestId: req.id, kind: 'provision', requestedBy: user.id, params: {} });
    if (o.enqueue !== false) await enqueueJob(tx, 'vm.provision', { runId: run.id }, { dedupKey: `run:${run.id}` });
    return {
      institutionId: inst.id,
      institutionCode: code,
      requesterId: user.id,
      requesterEmail: email,
      requestId: req.id,
      runId: run.id,
      poolId,
      address: rows[0]?.address ?? '',
      hostname,
      templateId,
      sshPublicKeys: keys,
      ports,
    };
  });
}

/** Creates a day-2 run (start, stop, shutdown, reboot, resize, decommission) for a request's VM, queued with its outbox message. */
export async function makeQueuedActionRun(
  db: Db,
  requestId: string,
  kind: Exclude<RunKind, 'provision'>,
  params: Record<string, unknown> = {},
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const vm = await tx.selectFrom('vms').select('id').where('requestId', '=', requestId).executeTakeFirstOrThrow();
    const run = await insertRun(tx, { requestId, kind, vmId: vm.id, params });
    await enqueueJob(tx, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
    return run.id;
  });
}

/** An operator user (receives failure notices). */
export async function makeOperator(db: Db): Promise<string> {
  const user = await db
    .insertInto('users')
    .values({ email: `operator-${hex(4)}@dc.kalteng.go.id`, name: 'Operator Uji', passwordHash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('userRoles').values({ userId: user.id, role: 'operator' }).execute();
  return user.id;
}
