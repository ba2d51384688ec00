/*
 * The benchmark stack: throwaway PostgreSQL and Redis, a migrated and seeded database, the
 * counting simulated cluster, the API process and one or more worker processes (all on the same
 * database, Redis and simulator) — launched with testkit's stack helpers, like the chaos suite. Everything listens on 127.0.0.1 and `close()` kills what it started.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from '@betang/db';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';
import {
  call,
  createMigratedDatabase,
  freePort,
  inParallel,
  killChild,
  seedForRequests,
  signIn,
  startApiProcess,
  startPostgres,
  startRedis,
  startWorkerProcess,
  submitBody,
  waitHttpOk,
  type Service,
  type SimProcess,
} from '@betang/testkit';
import { startClusterSim } from '../../test/support/cluster-sim-process';

type Stack = {
  db: Db;
  sim: SimProcess;
  apiBase: string;
  operatorEmail: string;
  /** The worker processes' ids, one per worker (undefined for one that has not started). */
  workerPids: () => Array<number | undefined>;
  /** Throws with a worker's output when any worker process has exited (e.g. refused its settings). */
  assertWorkerAlive(): void;
  /** Submits `n` requests (not timed) and returns a function that approves them all at once. */
  submit(n: number): Promise<{ ids: string[]; approveAll(): Promise<void> }>;
  close(): Promise<void>;
};

const live = new Set<() => Promise<void>>();
let signalsHooked = false;

/** On Ctrl-C or SIGTERM, stop every stack still running before exiting (no orphaned servers). */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  const stopAll = (signal: string) => {
    console.error(`${signal}: stopping the benchmark stack`);
    void Promise.all([...live].map((close) => close())).finally(() => process.exit(130));
  };
  process.once('SIGINT', () => stopAll('SIGINT'));
  process.once('SIGTERM', () => stopAll('SIGTERM'));
}

/** Resident set size of a process in bytes (Linux /proc), or 0 when it is gone. */
export function rssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Shared storage (one template copy on pve1, Ceph) or per-node local storage (a copy on every node). */
export type StorageLayout = 'shared' | 'local';

/**
 * The catalog's per-node template copies of a `local` cluster (perNodeTemplates in the simulator:
 * 9000/9001 on pve1, 9100/9101 on pve2, …); nothing for a shared one.
 */
async function mapTemplatesPerNode(db: Db, layout: StorageLayout, nodes: number): Promise<void> {
  if (layout !== 'local') return;
  const rows = Array.from({ length: nodes }, (_, i) => [
    { templateId: 'debian-12', node: `pve${i + 1}`, pveTemplateVmid: 9000 + i * 100, storage: null },
    { templateId: 'ubuntu-24.04', node: `pve${i + 1}`, pveTemplateVmid: 9001 + i * 100, storage: null },
  ]).flat();
  await db.insertInto('catalogTemplateNodes').values(rows).execute();
}

/** Boots the whole stack for `requests` requests on a cluster of `nodes` nodes at `timeFactor`. */
export async function startStack(o: {
  requests: number;
  nodes: number;
  timeFactor: number;
  workerConcurrency: number;
  label: string;
  layout?: StorageLayout;
  /** Worker processes to start (1 unless given), each with `workerConcurrency`. */
  workers?: number;
  apiNodeArgs?: string[];
}): Promise<Stack> {
  const layout = o.layout ?? 'shared';
  const started: Array<() => Promise<void>> = [];
  const close = async () => {
    live.delete(close);
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    started.length = 0;
  };
  hookSignals();
  live.add(close);
  try {
    const pg: Service = await startPostgres(o.label);
    started.push(() => pg.stop());
    const redis = await startRedis(o.label);
    started.push(() => redis.stop());
    const database = await createMigratedDatabase(pg.url, 'betang_bench');
    started.push(() => database.db.destroy());
    const seeded = await seedForRequests(database.db, o.requests);
    await mapTemplatesPerNode(database.db, layout, o.nodes);
    const dir = mkdtempSync(path.join(tmpdir(), 'betang-bench-'));
    started.push(async () => rmSync(dir, { recursive: true, force: true }));
    const key = makeKeyPair();
    writeFileSync(path.join(dir, 'id_ed25519'), key.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${key.publicKey}\n`);
    const sim = await startClusterSim({
      PLATFORM_PUBLIC_KEY: key.publicKey,
      SIM_TIME_FACTOR: String(o.timeFactor),
      SIM_NODES: String(o.nodes),
      SIM_SEED: '3',
      SIM_STORAGE: layout,
    });
    started.push(() => killChild(sim.child, 'SIGTERM'));
    const port = await freePort();
    const api = await startApiProcess({
      databaseUrl: database.url,
      port,
      // Production mode, as deployed: NODE_ENV=test (testkit's default) adds the response-contract check to every answer.
      env: { LOG_LEVEL: 'error', NODE_ENV: 'production' },
      ...(o.apiNodeArgs ? { nodeArgs: o.apiNodeArgs } : {}),
    });
    started.push(() => killChild(api, 'SIGTERM'));
    const workerCount = o.workers ?? 1;
    if (!Number.isInteger(workerCount) || workerCount < 1) throw new Error(`workers must be a whole number ≥ 1, not ${workerCount}`);
    // Each worker's operations listener, on its own port: it opens only once the worker has started
    // every consumer, so /healthz answering means that worker takes jobs.
    const opsPorts: number[] = [];
    while (opsPorts.length < workerCount) {
      const p = await freePort();
      if (p !== port && !opsPorts.includes(p)) opsPorts.push(p);
    }
    const workers = opsPorts.map((opsPort, i) => {
      // One profile per process: --cpu-prof names its files by pid, so several workers can share the directory.
      const profile = process.env.BENCH_WORKER_PROFILE_DIR;
      const worker = startWorkerProcess(
        {
          DATABASE_URL: database.url,
          REDIS_URL: redis.url,
          QUEUE_PREFIX: 'bench',
          NODE_ENV: 'production',
          LOG_LEVEL: 'error',
          PVE_URL: sim.url,
          PVE_TOKEN_ID: sim.tokenId,
          PVE_TOKEN_SECRET: sim.tokenSecret,
          PVE_CA_FILE: sim.caFile,
          PVE_VMID_MIN: '100000',
          PVE_VMID_MAX: String(100_000 + o.requests * 2),
          PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
          GUEST_SSH_TARGET: 'simulator',
          RECONCILE_EVERY_SECONDS: '0',
          WORKER_CONCURRENCY: String(o.workerConcurrency),
          WORKER_METRICS_HOST: '127.0.0.1',
          WORKER_METRICS_PORT: String(opsPort),
        },
        profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
      );
      started.push(() => killChild(worker, 'SIGTERM'));
      return { index: i + 1, worker, opsPort };
    });
    // Timing starts with every worker running, so a late-booting one does not count as slow provisioning.
    await Promise.all(workers.map(({ worker, opsPort }) => waitHttpOk(`http://127.0.0.1:${opsPort}/healthz`, worker, 120_000)));
    const apiBase = `http://127.0.0.1:${port}`;
    return {
      db: database.db,
      sim,
      apiBase,
      operatorEmail: seeded.operatorEmail,
      workerPids: () => workers.map(({ worker }) => worker.pid),
      assertWorkerAlive() {
        for (const { index, worker } of workers)
          if (worker.exitCode !== null || worker.signalCode !== null)
            throw new Error(`worker ${index} of ${workerCount} exited (${worker.exitCode ?? worker.signalCode}):\n${worker.logs()}`);
      },
      async submit(n) {
        const staff = new Map<string, Awaited<ReturnType<typeof signIn>>>();
        for (const inst of seeded.institutions) staff.set(inst.id, await signIn(apiBase, inst.staffEmail));
        const operator = await signIn(apiBase, seeded.operatorEmail);
        const slots = Array.from({ length: n }, (_, i) => seeded.institutions[Math.floor(i / 40)]!);
        const ids = await inParallel(slots, 8, async (inst, i) => {
          const r = await call<{ id: string }>(
            staff.get(inst.id)!,
            'POST',
            '/api/v1/vps-requests',
            submitBody(inst.applicationId, `bench-${i}`),
            1,
          );
          if (r.status !== 201) throw new Error(`submit ${i}: ${r.status} ${JSON.stringify(r.body)}`);
          return r.body.id;
        });
        return {
          ids,
          approveAll: async () => {
            await inParallel(ids, 8, async (id) => {
              const r = await call(operator, 'POST', `/api/v1/vps-requests/${id}/approve`, {}, 1);
              if (r.status !== 200) throw new Error(`approve ${id}: ${r.status}`);
            });
          },
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
