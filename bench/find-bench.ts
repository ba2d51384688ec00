/*
 * "Find anything" benchmark: a scratch PostgreSQL database (migrated from scratch, dropped at the
 * end) seeded with 10,000 VMs (each with its request, run and address, across 40 institutions and
 * 4 nodes) and 100,000 audit entries; then the filtered, paginated list and search queries through
 * the real HTTP API in this process (createApp on 127.0.0.1, a signed-in operator), each timed
 * end to end over `rounds` sequential calls: p50/p95/p99 in milliseconds.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPdfVerifierPool } from '@betang/documents';
import { createDatabase, migrateToLatest, type Db } from '@betang/db';
import { Role } from '@betang/core';
import {
  ADMIN_DATABASE_URL,
  TEST_PASSWORD,
  TEST_SIGNING_MASTER_SECRET,
  adminQuery,
  databaseUrl,
  makeCatalog,
  makeUser,
} from '@betang/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createApp } from '../apps/api/src/app';
import { NO_TRUST_ROOTS } from '../apps/api/src/use-cases/signature-trust';

export type FindQueryFigure = { name: string; path: string; rounds: number; p50Ms: number; p95Ms: number; p99Ms: number; items: number };
export type FindFigures = { vms: number; auditEntries: number; institutions: number; seedSeconds: number; queries: FindQueryFigure[] };

const INSTITUTIONS = 40;
const NODES = ['pve1', 'pve2', 'pve3', 'pve4'];

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]! * 100) / 100;
}

/** Seeds the scratch database with SQL set operations (a few seconds, not 110,000 round trips). */
async function seed(db: Db, vms: number, auditEntries: number): Promise<{ operatorEmail: string; institutionId: string }> {
  await makeCatalog(db);
  const requester = await makeUser(db, { roles: [Role.Admin], email: `bench-admin-${randomBytes(3).toString('hex')}@betang.test` });
  const operator = await makeUser(db, { roles: [Role.Operator], email: `bench-operator-${randomBytes(3).toString('hex')}@betang.test` });
  await sql`
    INSERT INTO institutions (code, name)
    SELECT 'BENCH-' || g, 'Dinas Uji ' || g FROM generate_series(1, ${INSTITUTIONS}) g
  `.execute(db);
  await sql`
    INSERT INTO applications (institution_id, name, kind, pic_name, pic_nip, pic_email, data_classification)
    SELECT i.id, 'Aplikasi ' || i.code, 'khusus', 'Budi Santoso', '198501012010011001', 'budi@kalteng.go.id', 'rendah'
    FROM institutions i WHERE i.code LIKE 'BENCH-%'
  `.execute(db);
  await sql`
    INSERT INTO ip_pools (name, cidr, gateway, bridge, range_start, range_end)
    VALUES ('bench', '10.200.0.0/16', '10.200.0.1', 'vmbr0', '10.200.0.10', '10.200.255.250')
  `.execute(db);
  // Request n belongs to institution (n % 40) + 1; every 10th is stopped, every 50th failed.
  await sql`
    WITH inst AS (
      SELECT i.id, a.id AS application_id, row_number() OVER (ORDER BY i.code) - 1 AS k
      FROM institutions i JOIN applications a ON a.institution_id = i.id WHERE i.code LIKE 'BENCH-%'
    )
    INSERT INTO vps_requests (institution_id, application_id, requested_by, hostname, template_id, cores, memory_mib, disk_gib,
                              ssh_public_keys, purpose, contact, status, created_at, updated_at)
    SELECT inst.id, inst.application_id, ${requester.id}, 'app-' || g, 'debian-12', 2, 4096, 40,
           ARRAY['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3ZJfBjxS0bTQhj0qXpFp3b4a4sQkN2qW1Lr6P8S1tE bench'],
           'Layanan uji nomor ' || g, '{"name":"Budi","nip":"198501012010011001","phone":"0812555501","email":"budi@kalteng.go.id"}'::jsonb,
           CASE WHEN g % 50 = 0 THEN 'failed' WHEN g % 10 = 0 THEN 'stopped' ELSE 'active' END,
           now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval
    FROM generate_series(1, ${vms}) g JOIN inst ON inst.k = g % ${INSTITUTIONS}
  `.execute(db);
  await sql`
    INSERT INTO vms (request_id, institution_id, vmid, node, name, cores, memory_mib, disk_gib, state, created_at)
    SELECT r.id, r.institution_id, 1000 + substring(r.hostname from 5)::int,
           (ARRAY[${sql.join(NODES)}])[1 + substring(r.hostname from 5)::int % ${NODES.length}],
           r.hostname, 2, 4096, 40, CASE r.status WHEN 'stopped' THEN 'stopped' WHEN 'failed' THEN 'failed' ELSE 'running' END, r.created_at
    FROM vps_requests r WHERE r.hostname LIKE 'app-%'
  `.execute(db);
  await sql`
    INSERT INTO ip_allocations (pool_id, address, request_id, vm_id)
    SELECT p.id, p.range_start + substring(r.hostname from 5)::int, r.id, v.id
    FROM vps_requests r JOIN vms v ON v.request_id = r.id CROSS JOIN ip_pools p
    WHERE p.name = 'bench'
  `.execute(db);
  await sql`
    INSERT INTO provisioning_runs (request_id, kind, status, progress, vm_id, created_at, error_code, error_message)
    SELECT r.id, 'provision', CASE r.status WHEN 'failed' THEN 'failed' ELSE 'succeeded' END, 100, v.id, r.created_at,
           CASE r.status WHEN 'failed' THEN 'PVE_UNAVAILABLE' END, CASE r.status WHEN 'failed' THEN 'node tidak terjangkau' END
    FROM vps_requests r JOIN vms v ON v.request_id = r.id
  `.execute(db);
  const actions = ['request.submitted', 'request.approved', 'vm.action_requested', 'auth.login_succeeded', 'agreement.signed'];
  await sql`
    WITH inst AS (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM institutions WHERE code LIKE 'BENCH-%')
    INSERT INTO audit_log (at, actor_user_id, actor_label, institution_id, action, target_type, target_id, after, ip)
    SELECT now() - (g * 30 || ' seconds')::interval,
           CASE WHEN g % 7 = 0 THEN ${operator.id}::uuid ELSE NULL END,
           CASE WHEN g % 7 = 0 THEN 'Operator Uji' ELSE 'Pegawai ' || (g % 500) END,
           inst.id,
           (ARRAY[${sql.join(actions)}])[1 + (g / ${INSTITUTIONS}) % ${actions.length}],
           'vps_request', md5(g::text), jsonb_build_object('n', g), '192.0.2.' || (g % 250)
    FROM generate_series(1, ${auditEntries}) g JOIN inst ON inst.k = g % ${INSTITUTIONS}
  `.execute(db);
  await sql`ANALYZE`.execute(db);
  const first = await db.selectFrom('institutions').select('id').where('code', '=', 'BENCH-7').executeTakeFirstOrThrow();
  return { operatorEmail: operator.email, institutionId: first.id };
}

/** Runs the benchmark (see the file comment); the scratch database is dropped whatever happens. */
export async function runFindBench(o: {
  vms: number;
  auditEntries: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<FindFigures> {
  const name = `betang_bench_find_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  const db = createDatabase({ connectionString: url, poolMax: 10, applicationName: 'betang-bench-find' });
  const pdfVerifier = createPdfVerifierPool({ threads: 1, timeoutMs: 10_000 });
  let server: Server | undefined;
  try {
    o.log(`scratch database ${name} on ${new URL(ADMIN_DATABASE_URL).host}: migrating`);
    const migrated = await migrateToLatest(db);
    if (migrated.error) throw migrated.error;
    const started = Date.now();
    o.log(`seeding ${o.vms} VMs and ${o.auditEntries} audit entries`);
    const { operatorEmail, institutionId } = await seed(db, o.vms, o.auditEntries);
    const seedSeconds = Math.round((Date.now() - started) / 100) / 10;
    const app = createApp({
      db,
      logger: pino({ level: 'silent' }),
      config: {
        PUBLIC_URL: 'http://127.0.0.1:3000',
        SESSION_TTL_HOURS: 12,
        COOKIE_SECURE: false,
        TRUST_PROXY_HOPS: 0,
        WEB_DIST_DIR: undefined,
        NODE_ENV: 'production',
        SIGNING_MASTER_SECRET: TEST_SIGNING_MASTER_SECRET,
        TOTP_REQUIRED_ROLES: [],
      },
      pdfVerifier,
      signatureTrust: NO_TRUST_ROOTS,
      console: { backend: { open: () => Promise.reject(new Error('no Proxmox in the benchmark')) } },
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: operatorEmail, password: TEST_PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`sign-in failed: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`, { headers: { cookie } });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 200)}`);
      return text;
    };
    const secondVmPage = JSON.parse(await get('/vms?limit=50')).nextCursor as string;
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const cases: { name: string; path: string }[] = [
      { name: 'VM, halaman pertama / VMs, first page', path: '/vms?limit=50' },
      { name: 'VM, halaman kedua (kursor) / VMs, second page (cursor)', path: `/vms?limit=50&cursor=${encodeURIComponent(secondVmPage)}` },
      { name: 'VM per node + keadaan / VMs by node + state', path: '/vms?limit=50&node=pve3&state=stopped' },
      { name: 'VM per instansi / VMs of one institution', path: `/vms?limit=50&institutionId=${institutionId}` },
      { name: 'VM per VMID / VM by vmid', path: '/vms?vmid=5234' },
      { name: 'VM per alamat / VMs by address', path: '/vms?limit=50&address=10.200.12.' },
      { name: 'VM teks bebas / VMs free text', path: '/vms?limit=50&q=app-987' },
      {
        name: 'Permintaan status + host / requests by status + host',
        path: '/vps-requests?limit=50&runs=none&status=stopped&hostname=app-12',
      },
      { name: 'Permintaan teks bebas / requests free text', path: '/vps-requests?limit=50&runs=none&q=nomor%204242' },
      { name: 'Permintaan per tanggal / requests by day', path: `/vps-requests?limit=50&runs=none&from=${today}&to=${today}` },
      { name: 'Audit, halaman pertama / audit, first page', path: '/audit-log?limit=50' },
      {
        name: 'Audit per tindakan + instansi / audit by action + institution',
        path: `/audit-log?limit=50&action=agreement.signed&institutionId=${institutionId}`,
      },
      { name: 'Audit per pelaku (teks) / audit by actor (text)', path: '/audit-log?limit=50&actor=pegawai%2042' },
      { name: 'Audit per tanggal / audit by day', path: `/audit-log?limit=50&from=${today}&to=${today}` },
      {
        name: 'Ekspor CSV audit satu instansi + tindakan / audit CSV of one institution + action',
        path: `/audit-log/export.csv?institutionId=${institutionId}&action=request.approved`,
      },
    ];
    const queries: FindQueryFigure[] = [];
    for (const c of cases) {
      for (let i = 0; i < 3; i += 1) await get(c.path); // warm up (plans, JIT)
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < o.rounds; i += 1) {
        const t0 = performance.now();
        const text = await get(c.path);
        times.push(performance.now() - t0);
        items = c.path.includes('.csv') ? text.split('\r\n').length - 2 : (JSON.parse(text) as { items: unknown[] }).items.length;
      }
      times.sort((a, b) => a - b);
      const figure = {
        ...c,
        rounds: o.rounds,
        p50Ms: percentile(times, 50),
        p95Ms: percentile(times, 95),
        p99Ms: percentile(times, 99),
        items,
      };
      o.log(`${c.path}: p50 ${figure.p50Ms} ms, p95 ${figure.p95Ms} ms, p99 ${figure.p99Ms} ms (${items} rows)`);
      queries.push(figure);
    }
    return { vms: o.vms, auditEntries: o.auditEntries, institutions: INSTITUTIONS, seedSeconds, queries };
  } finally {
    if (server) await new Promise((resolve) => server!.close(resolve));
    await pdfVerifier.close();
    await db.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
