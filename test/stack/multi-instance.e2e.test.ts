import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPveClient, type PveClient } from '@betang/proxmox';
import {
  call,
  childLogEnv,
  createTestDatabase,
  freePort,
  inParallel,
  killChild,
  seedForRequests,
  signIn,
  simCall,
  startApiProcess,
  startWorkerProcess,
  submitBody,
  type SimProcess,
  type TestDatabase,
  type TsChild,
} from '@betang/testkit';
import { Redis } from 'ioredis';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';
import { cloneTasks, highWater, sampleRunningClones } from '../support/clone-concurrency';
import { startClusterSim } from '../support/cluster-sim-process';
import { startNginxProxy, UPSTREAM_HEADER, type NginxProxy } from '../support/nginx-proxy';
import { followSse, type SseStream } from '../support/sse-follow';

/**
 * Several instances, proven together: 2 API processes behind the repo's nginx site
 * (infra/nginx/betang.conf) and 3 worker processes provision MULTI_INSTANCE_VPS VPSs (20 by
 * default, for CI; 100 at full size) submitted and approved through nginx, on a simulated 3-node
 * cluster. From the simulator's side (PVE's own task list): no node ever ran more clones at once
 * than the clone limit, no vmid and no address is on two VMs. One request's live status stream is
 * followed through nginx while the API instance serving it is SIGKILLed and restarted: the stream
 * resumed with Last-Event-ID (on the other instance) loses and repeats no event.
 */
const N = Number(process.env.MULTI_INSTANCE_VPS ?? '20');
const WORKERS = 3;
const CLONE_LIMIT = 2;
const NODES = ['pve1', 'pve2', 'pve3'];
const VMID = { min: 100_000, max: 100_000 + N * 3 };
const DEADLINE_MS = Number(process.env.MULTI_INSTANCE_DEADLINE_SECONDS ?? String(60 + N * 4)) * 1000;
jest.setTimeout(DEADLINE_MS + 120_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`[multi-instance ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

type SimVm = { vmid: number; node: string; config: Record<string, unknown> };

describe('2 API instances behind nginx and 3 workers', () => {
  let t: TestDatabase;
  let sim: SimProcess | undefined;
  let proxy: NginxProxy | undefined;
  const apis: Array<TsChild | undefined> = [];
  const workers: TsChild[] = [];
  let redis: Redis | undefined;
  let pve: PveClient | undefined;
  let dir: string | undefined;
  const prefix = `bmi-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await pve?.close();
    for (const w of workers) await killChild(w);
    for (const a of apis) await killChild(a);
    await proxy?.stop();
    await killChild(sim?.child, 'SIGTERM');
    const keys = await redis?.keys(`${prefix}:*`);
    if (keys?.length) await redis!.del(...keys);
    redis?.disconnect();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`should provision ${N} VPSs with no node over its clone limit, no vmid or address twice, and no live event lost across an API restart`, async () => {
    const startedAt = Date.now();
    t = await createTestDatabase();
    const db = t.db;
    const seeded = await seedForRequests(db, N);
    dir = mkdtempSync(path.join(tmpdir(), 'betang-multi-'));
    const key = makeKeyPair();
    writeFileSync(path.join(dir, 'id_ed25519'), key.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${key.publicKey}\n`);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });

    const apiPorts = [await freePort(), await freePort()];
    const apiOptions = (port: number) => ({ databaseUrl: t.url, port, env: { TRUST_PROXY_HOPS: '1' } });
    const [s, ...started] = await Promise.all([
      startClusterSim({ PLATFORM_PUBLIC_KEY: key.publicKey, SIM_TIME_FACTOR: '0.03', SIM_NODES: String(NODES.length), SIM_SEED: '11' }),
      ...apiPorts.map((port) => startApiProcess(apiOptions(port))),
    ]);
    sim = s;
    apis.push(...(started as TsChild[]));
    // Clones take long enough that many overlap: the limit, not luck, keeps them apart.
    await simCall(s, 'POST', '/_sim/faults/slow-tasks', { type: 'qmclone', multiplier: 3 });
    proxy = await startNginxProxy(apiPorts);
    const base = proxy.url;
    pve = createPveClient({
      baseUrl: s.url,
      tokenId: s.tokenId,
      tokenSecret: s.tokenSecret,
      ca: readFileSync(s.caFile, 'utf8'),
      timeoutMs: 10_000,
    });

    const workerEnv = {
      DATABASE_URL: t.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_WORKER_LOG_LEVEL ?? 'error',
      DATABASE_POOL_MAX: '6',
      PVE_URL: s.url,
      PVE_TOKEN_ID: s.tokenId,
      PVE_TOKEN_SECRET: s.tokenSecret,
      PVE_CA_FILE: s.caFile,
      PVE_VMID_MIN: String(VMID.min),
      PVE_VMID_MAX: String(VMID.max),
      PVE_CLONE_LIMIT_PER_NODE: String(CLONE_LIMIT),
      PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
      GUEST_SSH_TARGET: 'simulator',
      STEP_RETRY_BASE_MS: '200',
      GUEST_AGENT_WAIT_SECONDS: '60',
      PVE_CLONE_TASK_SECONDS: '120',
      PVE_TASK_SECONDS: '60',
      RECONCILE_EVERY_SECONDS: '0',
      WORKER_CONCURRENCY: '4',
      ...childLogEnv(),
    };
    for (let i = 0; i < WORKERS; i += 1) workers.push(startWorkerProcess(workerEnv));

    // Everything through nginx: sessions, CSRF and rate limits are shared by both instances.
    const staff = new Map<string, Awaited<ReturnType<typeof signIn>>>();
    for (const inst of seeded.institutions) staff.set(inst.id, await signIn(base, inst.staffEmail));
    const operator = await signIn(base, seeded.operatorEmail);
    const slots = Array.from({ length: N }, (_, i) => seeded.institutions[Math.floor(i / 40)]!);
    const ids = await inParallel(slots, 8, async (inst, i) => {
      const r = await call<{ id: string }>(
        staff.get(inst.id)!,
        'POST',
        '/api/v1/vps-requests',
        submitBody(inst.applicationId, `multi-${i}`),
        1,
      );
      if (r.status !== 201) throw new Error(`submit ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id;
    });

    // Follow the last request's live status through nginx from before its approval: approved
    // last, it is queued behind the others, so most of its events come after the kill below.
    const followed = ids[N - 1]!;
    const eventsUrl = `${base}/api/v1/vps-requests/${followed}/events`;
    const first: SseStream = await followSse(eventsUrl, { cookie: operator.cookie });
    expect(first.status).toBe(200);
    const servedBy = String(first.headers[UPSTREAM_HEADER] ?? '');
    const victim = apiPorts.findIndex((p) => servedBy === `127.0.0.1:${p}`);
    expect(victim).toBeGreaterThanOrEqual(0);

    const sampler = sampleRunningClones(pve, NODES);
    const approve = async (id: string) => {
      const r = await call<{ status: string }>(operator, 'POST', `/api/v1/vps-requests/${id}/approve`, {}, 1);
      if (r.status !== 200) throw new Error(`approve ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await inParallel(ids.slice(0, -1), 8, approve);
    await approve(followed);
    say(`${N} requests submitted and approved through nginx in ${Math.round((Date.now() - startedAt) / 1000)} s`);

    // Some progress arrives on the first stream (its approval at least), then the instance serving it dies mid-run.
    const progressUntil = Date.now() + 60_000;
    while (first.events.filter((e) => e.event !== 'snapshot').length < 2 && Date.now() < progressUntil) await sleep(50);
    expect(first.events.filter((e) => e.event !== 'snapshot').length).toBeGreaterThanOrEqual(2);
    await killChild(apis[victim], 'SIGKILL');
    await first.ended;
    const lastSeen = first.events.at(-1)!.id!;
    say(`API instance :${apiPorts[victim]} killed after ${first.events.length} events; resuming after event ${lastSeen}`);
    // The browser's EventSource reconnects through nginx with Last-Event-ID; nginx skips the dead instance.
    const second = await followSse(eventsUrl, { cookie: operator.cookie, 'last-event-id': String(lastSeen) });
    expect(second.status).toBe(200);
    expect(second.headers[UPSTREAM_HEADER]).toBe(`127.0.0.1:${apiPorts[1 - victim]}`);
    apis[victim] = await startApiProcess(apiOptions(apiPorts[victim]!));

    const settled = async () => {
      const rows = await db.selectFrom('vpsRequests').select(['status']).where('id', 'in', ids).execute();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return { counts, done: (counts.active ?? 0) + (counts.failed ?? 0) === N };
    };
    let state = await settled();
    let lastSay = Date.now();
    while (!state.done && Date.now() - startedAt < DEADLINE_MS) {
      await sleep(500);
      state = await settled();
      if (Date.now() - lastSay > 10_000) {
        say(`progress: ${JSON.stringify(state.counts)}`);
        lastSay = Date.now();
      }
      for (const [i, w] of workers.entries()) if (w.exitCode !== null) throw new Error(`worker ${i} exited: ${w.logs().slice(-3000)}`);
    }
    const sampled = await sampler.stop();
    say(`settled in ${Math.round((Date.now() - startedAt) / 1000)} s: ${JSON.stringify(state.counts)}`);
    expect(state.counts).toEqual({ active: N });

    // After the restart both instances serve again.
    const served = new Set<string>();
    for (let i = 0; i < 6; i += 1) served.add((await fetch(`${base}/healthz`)).headers.get(UPSTREAM_HEADER) ?? '');
    expect([...served].sort()).toEqual(apiPorts.map((p) => `127.0.0.1:${p}`).sort());

    // The live stream: every event stored for the request after the first stream's start arrived
    // exactly once, in order, over the two connections.
    await sleep(1500);
    second.close();
    const snapshotId = first.events[0]!.id!;
    expect(first.events[0]!.event).toBe('snapshot');
    const stored = await db
      .selectFrom('requestEvents')
      .select('id')
      .where('requestId', '=', followed)
      .where('id', '>', snapshotId)
      .orderBy('id')
      .execute();
    const received = [...first.events.slice(1), ...second.events].map((e) => e.id);
    expect(received).toEqual(stored.map((r) => Number(r.id)));
    expect(second.events.length).toBeGreaterThan(0);

    // From the simulator's side: clones per node never above the limit (PVE's task list, and
    // samples of the running tasks taken throughout), and the limit was actually reached.
    const fromTasks: Record<string, number> = {};
    let clones = 0;
    for (const node of NODES) {
      const tasks = await cloneTasks(pve, node);
      clones += tasks.length;
      fromTasks[node] = highWater(tasks);
    }
    say(`clone tasks ${clones}; most at once per node from task times ${JSON.stringify(fromTasks)}, sampled ${JSON.stringify(sampled)}`);
    expect(clones).toBeGreaterThanOrEqual(N);
    for (const node of NODES) {
      expect(fromTasks[node]).toBeLessThanOrEqual(CLONE_LIMIT);
      expect(sampled[node]).toBeLessThanOrEqual(CLONE_LIMIT);
    }
    if (N >= 10) expect(Math.max(...Object.values(sampled), ...Object.values(fromTasks))).toBe(CLONE_LIMIT);

    // No vmid and no address twice: in PostgreSQL, and on the VMs PVE holds.
    const vms = (await simCall<SimVm[]>(s, 'GET', '/_sim/state/vms')).filter((v) => v.vmid >= VMID.min);
    expect(vms).toHaveLength(N);
    const simAddresses = vms.map((v) => /ip=([\d.]+)/.exec(String(v.config.ipconfig0 ?? ''))?.[1]);
    expect(simAddresses.every(Boolean)).toBe(true);
    expect(new Set(simAddresses).size).toBe(N);
    const rows = await db
      .selectFrom('vms')
      .innerJoin('ipAllocations', 'ipAllocations.vmId', 'vms.id')
      .select(['vms.vmid', 'vms.node', 'ipAllocations.address'])
      .where('vms.requestId', 'in', ids)
      .where('ipAllocations.releasedAt', 'is', null)
      .orderBy('vms.vmid')
      .execute();
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.vmid)).size).toBe(N);
    expect(new Set(rows.map((r) => r.address)).size).toBe(N);
    const onPve = new Map(vms.map((v) => [v.vmid, v]));
    for (const r of rows) {
      expect(onPve.get(r.vmid!)?.node).toBe(r.node);
      expect(/ip=([\d.]+)/.exec(String(onPve.get(r.vmid!)?.config.ipconfig0 ?? ''))?.[1]).toBe(String(r.address).replace(/\/\d+$/, ''));
    }
    const perNode: Record<string, number> = {};
    for (const v of vms) perNode[v.node] = (perNode[v.node] ?? 0) + 1;
    say(`VMs per node ${JSON.stringify(perNode)}; total ${Math.round((Date.now() - startedAt) / 1000)} s`);
    // The shared ledger spreads a burst over the equal nodes.
    for (const node of NODES) expect(perNode[node] ?? 0).toBeGreaterThan(0);
  });
});
