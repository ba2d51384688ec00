import { stepDetailIn } from '@betang/core';
import { allocatePublicEndpoint, heldPublicEndpoint, releasePublicEndpoint, type Db } from '@betang/db';
import {
  createTestDatabase,
  makeOperator,
  makeQueuedActionRun,
  makeQueuedProvisionRun,
  testLogDestination,
  testLogOptions,
  type TestDatabase,
} from '@betang/testkit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startProvisioningEnv, TEST_PUBLIC_POOL, type ProvisioningEnv } from '../testing/provisioning-env';
import { runToEnd } from '../testing/run-to-end';
import { publicEndpointsProbeJob } from '../jobs/public-endpoints-probe.job';
import { fileEdge, JSON_FILE, NFT_FILE } from './edge';
import { pino } from 'pino';
import { bodyOf, startSmtp } from '../../../../test/support/smtp-server';
import { sendEmailsOnce } from '../notifications/email-sender';
import { createMailTransport } from '../notifications/mail-transport';

jest.setTimeout(120_000);

/** A TCP listener on loopback: the one service the simulated guest runs. */
async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** A loopback port nobody listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const { server, port } = await listen();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('internet access: a public address by 1:1 NAT, allocated once, published, probed and released', () => {
  let t: TestDatabase;
  let db: Db;
  let env: ProvisioningEnv;
  let edgeDir: string;
  let service: { server: Server; port: number };

  const step = (runId: string, key: string) =>
    db.selectFrom('runSteps').select(['status', 'detail']).where('runId', '=', runId).where('key', '=', key).executeTakeFirstOrThrow();
  const nft = () => readFileSync(path.join(edgeDir, NFT_FILE), 'utf8');

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    env = await startProvisioningEnv(db);
    edgeDir = mkdtempSync(path.join(tmpdir(), 'betang-edge-'));
    env.deps.publicEndpoints = { pool: TEST_PUBLIC_POOL, edge: fileEdge(edgeDir) };
    await makeOperator(db);
    service = await listen();
  });
  afterAll(async () => {
    await new Promise((resolve) => service?.server.close(resolve));
    await env?.close();
    await t?.drop();
    rmSync(edgeDir, { recursive: true, force: true });
  });

  it('should give a public request the first free address, write the NAT for its declared ports, and record which ports answer', async () => {
    const silent = await closedPort();
    const q = await makeQueuedProvisionRun(db, { publicAccess: true, ports: [service.port, silent] });
    env.portsByHostname.set(q.hostname, q.ports);
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');

    const endpoint = await heldPublicEndpoint(db, q.requestId);
    const vm = await db.selectFrom('vms').select('id').where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
    expect(endpoint).toMatchObject({
      vmId: vm.id,
      mechanism: 'nat',
      publicAddress: '203.0.113.10',
      privateAddress: q.address,
      ports: [service.port, silent],
      openPorts: [service.port],
    });
    expect(endpoint?.probedAt).toBeInstanceOf(Date);
    const sorted = [service.port, silent].sort((a, b) => a - b).join(', ');
    expect(nft()).toContain(`ip daddr 203.0.113.10 tcp dport { ${sorted} } dnat to ${q.address}`);
    expect(nft()).toContain(`ip saddr ${q.address} snat to 203.0.113.10`);
    expect(JSON.parse(readFileSync(path.join(edgeDir, JSON_FILE), 'utf8')).mappings).toEqual([
      {
        publicAddress: '203.0.113.10',
        privateAddress: q.address,
        tcpPorts: [service.port, silent].sort((a, b) => a - b),
        requestId: q.requestId,
        vmId: vm.id,
      },
    ]);
    const done = await step(q.runId, 'public-endpoint');
    expect(done.status).toBe('done');
    expect(stepDetailIn(done.detail ?? '', 'en')).toBe(
      `203.0.113.10 → ${q.address}; open ports: ${service.port}; not answering yet: ${silent}`,
    );

    // Exactly once: asking again for the same request gives back the same endpoint, nothing new.
    const again = await db
      .transaction()
      .execute((tx) =>
        allocatePublicEndpoint(tx, { requestId: q.requestId, vmId: vm.id, privateAddress: q.address, ports: [1], pool: TEST_PUBLIC_POOL }),
      );
    expect(again).toMatchObject({ id: endpoint?.id, publicAddress: '203.0.113.10', ports: [service.port, silent] });
    const rows = await db.selectFrom('publicEndpoints').select('id').where('requestId', '=', q.requestId).execute();
    expect(rows).toHaveLength(1);

    // Decommissioning gives the address back and takes it off the edge; a second release changes nothing.
    const decommission = await makeQueuedActionRun(db, q.requestId, 'decommission', { reason: 'aplikasi dihentikan' });
    expect((await runToEnd(env.deps, decommission)).status).toBe('succeeded');
    expect(await heldPublicEndpoint(db, q.requestId)).toBeUndefined();
    const history = await db
      .selectFrom('publicEndpoints')
      .select(['releasedAt', 'releaseReason'])
      .where('requestId', '=', q.requestId)
      .executeTakeFirstOrThrow();
    expect(history.releaseReason).toBe(`decommissioned by run ${decommission}`);
    expect(nft()).not.toContain('203.0.113.10');
    expect(await releasePublicEndpoint(db, q.requestId, 'again')).toBe(0);
  });

  it('should hand out each address once under concurrent allocations, and refuse when the pool is exhausted', async () => {
    const requests = await Promise.all([1, 2, 3, 4].map(() => makeQueuedProvisionRun(db, { publicAccess: true, enqueue: false })));
    const vmIds = await Promise.all(
      requests.map(async (r) =>
        db
          .insertInto('vms')
          .values({
            requestId: r.requestId,
            institutionId: r.institutionId,
            name: r.hostname,
            cores: 1,
            memoryMiB: 512,
            diskGiB: 10,
            state: 'reserved',
          })
          .returning('id')
          .executeTakeFirstOrThrow(),
      ),
    );
    const results = await Promise.all(
      requests.map((r, i) =>
        db.transaction().execute((tx) =>
          allocatePublicEndpoint(tx, {
            requestId: r.requestId,
            vmId: vmIds[i]!.id,
            privateAddress: r.address,
            ports: [443],
            pool: TEST_PUBLIC_POOL,
          }),
        ),
      ),
    );
    const given = results.filter((e) => e !== undefined).map((e) => e.publicAddress);
    // The first request's address was released on decommission: three free addresses for four requests.
    expect(given.sort()).toEqual([...TEST_PUBLIC_POOL].sort());
    expect(results.filter((e) => e === undefined)).toHaveLength(1);

    // A provisioning run that finds the pool exhausted fails permanently and holds no endpoint after its rollback.
    const late = await makeQueuedProvisionRun(db, { publicAccess: true, ports: [443] });
    env.portsByHostname.set(late.hostname, late.ports);
    expect(await runToEnd(env.deps, late.runId)).toMatchObject({ status: 'failed', errorCode: 'PUBLIC_POOL_EXHAUSTED' });
    expect(await heldPublicEndpoint(db, late.requestId)).toBeUndefined();

    // Released addresses go back: the next allocation takes the lowest free one.
    const freed = results.findIndex((e) => e?.publicAddress === '203.0.113.11');
    expect(await releasePublicEndpoint(db, requests[freed]!.requestId, 'test')).toBe(1);
    const waiting = requests[results.findIndex((e) => e === undefined)]!;
    const next = await db.transaction().execute((tx) =>
      allocatePublicEndpoint(tx, {
        requestId: waiting.requestId,
        vmId: vmIds[requests.indexOf(waiting)]!.id,
        privateAddress: waiting.address,
        ports: [443],
        pool: TEST_PUBLIC_POOL,
      }),
    );
    expect(next?.publicAddress).toBe('203.0.113.11');
  });

  it('should re-probe running VMs on schedule, so a service started later shows as open, and restore lost edge files', async () => {
    const q = await makeQueuedProvisionRun(db, { publicAccess: true, ports: [] });
    env.portsByHostname.set(q.hostname, q.ports);
    // Freed for this request: every pool address is held by the previous test's requests.
    await db
      .updateTable('publicEndpoints')
      .set({ releasedAt: new Date(), releaseReason: 'test' })
      .where('releasedAt', 'is', null)
      .execute();
    const later = await closedPort();
    await db
      .updateTable('vpsRequests')
      .set({ ports: [later] })
      .where('id', '=', q.requestId)
      .execute();
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    expect((await heldPublicEndpoint(db, q.requestId))?.openPorts).toEqual([]);

    // The institution starts its service after hand-over; the edge file is lost meanwhile.
    const started = await new Promise<Server>((resolve) => {
      const server = createServer((socket) => socket.end());
      server.listen(later, '127.0.0.1', () => resolve(server));
    });
    rmSync(path.join(edgeDir, NFT_FILE));
    try {
      const result = await publicEndpointsProbeJob(env.deps)({}, undefined as never);
      expect(result).toMatchObject({ endpoints: 1, edgeChanged: true, probed: 1 });
      expect((await heldPublicEndpoint(db, q.requestId))?.openPorts).toEqual([later]);
      expect(nft()).toContain(`tcp dport { ${later} } dnat to ${q.address}`);
    } finally {
      await new Promise((resolve) => started.close(resolve));
    }
    // Without a pool the job does nothing.
    const { publicEndpoints: _pool, ...unconfigured } = env.deps;
    expect(await publicEndpointsProbeJob(unconfigured)({}, undefined as never)).toEqual({
      skipped: 'no public addresses configured',
    });
  });

  it('should tell the requester the public address and its ports in the "VPS ready" e-mail and in-app notice', async () => {
    const silent = await closedPort();
    const q = await makeQueuedProvisionRun(db, { publicAccess: true, ports: [service.port, silent] });
    env.portsByHostname.set(q.hostname, q.ports);
    expect((await runToEnd(env.deps, q.runId)).status).toBe('succeeded');
    const endpoint = (await heldPublicEndpoint(db, q.requestId))!;

    const inApp = await db
      .selectFrom('notifications')
      .select(['body', 'reason'])
      .where('userId', '=', q.requesterId)
      .where('kind', '=', 'vps.ready')
      .orderBy('id')
      .execute();
    expect(inApp).toHaveLength(1);
    const body = inApp[0]!.body as { id: string; en: string };
    expect(body.id).toContain(`Alamat publik (internet): ${endpoint.publicAddress}`);
    expect(body.id).toContain(`Port publik: ${service.port}, ${silent} (sudah menjawab: ${service.port})`);
    expect(body.en).toContain(`Public ports: ${service.port}, ${silent} (answering: ${service.port})`);

    const smtp = await startSmtp();
    try {
      const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
      const logger = pino(testLogOptions('public-ready-mail'), testLogDestination('public-ready-mail'));
      await sendEmailsOnce(db, transport, 'Betang <betang@kalteng.go.id>', logger);
      transport.close();
      const mine = smtp.received.filter((m) => m.to.includes(q.requesterEmail));
      expect(mine).toHaveLength(1);
      const text = bodyOf(mine[0]!.raw);
      expect(text).toContain(`Alamat IP: ${q.address}`);
      expect(text).toContain(`Alamat publik (internet): ${endpoint.publicAddress}`);
      expect(text).toContain(`Public (internet) address: ${endpoint.publicAddress}`);
      expect(text).toContain(`Public ports: ${service.port}, ${silent} (answering: ${service.port})`);
    } finally {
      await smtp.close();
    }

    // An internal-only VPS's notice names no public address.
    const internal = await makeQueuedProvisionRun(db, { publicAccess: false, ports: [] });
    expect((await runToEnd(env.deps, internal.runId)).status).toBe('succeeded');
    const plain = await db
      .selectFrom('notifications')
      .select('body')
      .where('userId', '=', internal.requesterId)
      .where('kind', '=', 'vps.ready')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(plain.body)).not.toMatch(/publik|Public/);
  });

  it('should fail a public request permanently when the worker has no public addresses configured', async () => {
    const configured = env.deps.publicEndpoints;
    delete env.deps.publicEndpoints;
    try {
      const q = await makeQueuedProvisionRun(db, { publicAccess: true, ports: [443] });
      env.portsByHostname.set(q.hostname, q.ports);
      expect(await runToEnd(env.deps, q.runId)).toMatchObject({ status: 'failed', errorCode: 'PUBLIC_ACCESS_UNCONFIGURED' });
      expect(await heldPublicEndpoint(db, q.requestId)).toBeUndefined();
    } finally {
      if (configured) env.deps.publicEndpoints = configured;
    }
  });
});
