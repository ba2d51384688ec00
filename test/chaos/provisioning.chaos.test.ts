import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from '@betang/db';
import { backupClient, createPveClient } from '@betang/proxmox';
import {
  call,
  createMigratedDatabase,
  freePort,
  inParallel,
  isAlive,
  killChild,
  seedForRequests,
  signIn,
  simCall,
  startApiProcess,
  startPostgres,
  startRedis,
  startWorkerProcess,
  submitBody,
  type Service,
  type Session,
  type SimProcess,
  type TsChild,
} from '@betang/testkit';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';
import { chaosPlan, seededRandom, type ChaosAction } from './support/chaos-plan';
import { startClusterSim, type SimStats } from '../support/cluster-sim-process';
import { checkInvariants, type SimVm } from './support/invariants';

/**
 * Chaos: N requests submitted and approved at once through the real API, provisioned by
 * CHAOS_WORKERS (2) worker processes against a simulated cluster that injects PVE 5xx/595s, lock timeouts, slow
 * clones and late guest agents, while workers are SIGKILLed and restarted at seeded random moments
 * and Redis and PostgreSQL are each restarted once. Then every invariant is checked and printed.
 *
 * CHAOS_REQUESTS (100), CHAOS_WORKERS (2; the 3-worker variants set 3), CHAOS_KILLS (10), CHAOS_SEED (8), CHAOS_DEADLINE_SECONDS (600),
 * CHAOS_MIN_ACTIVE_SHARE (0.9: the share of requests that must end active). Then CHAOS_RESTORES (10)
 * of the VMs are backed up and restored in place while workers are killed CHAOS_RESTORE_KILLS (4) times.
 */
const N = Number(process.env.CHAOS_REQUESTS ?? '100');
const KILLS = Number(process.env.CHAOS_KILLS ?? '10');
const SEED = Number(process.env.CHAOS_SEED ?? '8');
const DEADLINE_MS = Number(process.env.CHAOS_DEADLINE_SECONDS ?? '600') * 1000;
const MIN_ACTIVE_SHARE = Number(process.env.CHAOS_MIN_ACTIVE_SHARE ?? '0.9');
const WORKERS = Number(process.env.CHAOS_WORKERS ?? '2');
const RESTORES = Number(process.env.CHAOS_RESTORES ?? '10');
const RESTORE_KILLS = Number(process.env.CHAOS_RESTORE_KILLS ?? '4');
const VMID = { min: 100_000, max: 100_000 + N * 4 };
jest.setTimeout(DEADLINE_MS + 180_000);

const say = (line: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('provisioning under chaos', () => {
  let pg: Service | undefined;
  let redis: Service | undefined;
  let sim: SimProcess | undefined;
  let api: ChildProcess | undefined;
  const workers: Array<TsChild | undefined> = [];
  let db: Db | undefined;
  let dir: string | undefined;
  /** What the restore case takes over from the provisioning case. */
  let provisioned: { ids: string[]; operator: Session; workerEnv: Record<string, string> } | undefined;

  afterAll(async () => {
    for (const w of workers) await killChild(w);
    await killChild(api);
    await killChild(sim?.child, 'SIGTERM');
    await db?.destroy().catch(() => undefined);
    await redis?.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should end every request active or failed with a reason, leaking nothing', async () => {
    const figures = {
      requests: N,
      kills: 0,
      redisRestarts: 0,
      postgresRestarts: 0,
      simFaults: 0,
      injected5xx: 0,
      injected595: 0,
      violations: 0,
    };
    pg = await startPostgres();
    redis = await startRedis();
    const database = await createMigratedDatabase(pg.url, 'betang_chaos');
    db = database.db;
    const seeded = await seedForRequests(db, N);
    say(`PostgreSQL :${pg.port}, Redis :${redis.port}, database migrated and seeded (${seeded.institutions.length} institutions)`);

    dir = mkdtempSync(path.join(tmpdir(), 'betang-chaos-'));
    const key = makeKeyPair();
    writeFileSync(path.join(dir, 'id_ed25519'), key.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${key.publicKey}\n`);
    sim = await startClusterSim({
      PLATFORM_PUBLIC_KEY: key.publicKey,
      SIM_TIME_FACTOR: process.env.CHAOS_TIME_FACTOR ?? '0.03',
      SIM_NODES: '3',
      SIM_SEED: String(SEED),
    });
    const s = sim;
    // Standing faults for the whole run: PVE answering 500 and 595 on any call.
    await simCall(s, 'POST', '/_sim/faults/route-error', { path: '**', rate: 0.02, status: 500, message: 'proxy loop detected [chaos]' });
    await simCall(s, 'POST', '/_sim/faults/route-error', { path: '**', rate: 0.01, status: 595, message: 'Connection timed out [chaos]' });

    const apiPort = await freePort();
    api = await startApiProcess({ databaseUrl: database.url, port: apiPort });
    const workerEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'chaos',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.CHAOS_WORKER_LOG_LEVEL ?? 'error',
      DATABASE_POOL_MAX: '8',
      PVE_URL: s.url,
      PVE_TOKEN_ID: s.tokenId,
      PVE_TOKEN_SECRET: s.tokenSecret,
      PVE_CA_FILE: s.caFile,
      PVE_VMID_MIN: String(VMID.min),
      PVE_VMID_MAX: String(VMID.max),
      PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
      GUEST_SSH_TARGET: 'simulator',
      STEP_RETRY_BASE_MS: '200',
      GUEST_AGENT_WAIT_SECONDS: '60',
      PVE_CLONE_TASK_SECONDS: '120',
      PVE_TASK_SECONDS: '60',
      RECONCILE_EVERY_SECONDS: '0',
      WORKER_CONCURRENCY: '4',
      RUN_STALE_SECONDS: '30',
    };
    for (let i = 0; i < WORKERS; i += 1) workers[i] = startWorkerProcess(workerEnv);

    // Submit and approve everything at once, through HTTP.
    const base = `http://127.0.0.1:${apiPort}`;
    const staff = new Map<string, Session>();
    for (const inst of seeded.institutions) staff.set(inst.id, await signIn(base, inst.staffEmail));
    const operator = await signIn(base, seeded.operatorEmail);
    const slots = Array.from({ length: N }, (_, i) => seeded.institutions[Math.floor(i / 40)]!);
    const ids = await inParallel(slots, 16, async (inst, i) => {
      const r = await call<{ id: string }>(
        staff.get(inst.id)!,
        'POST',
        '/api/v1/vps-requests',
        submitBody(inst.applicationId, `chaos-${i}`),
        1,
      );
      if (r.status !== 201) throw new Error(`submit ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id;
    });
    await inParallel(ids, 16, async (id) => {
      const r = await call<{ status: string }>(operator, 'POST', `/api/v1/vps-requests/${id}/approve`, {}, 1);
      if (r.status !== 200) throw new Error(`approve ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    });
    say(`${N} requests submitted and approved; chaos begins (seed ${SEED})`);
    const started = Date.now();

    const settled = async () => {
      const rows = await db!.selectFrom('vpsRequests').select(['status']).where('id', 'in', ids).execute();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return { counts, done: (counts.active ?? 0) + (counts.failed ?? 0) === N };
    };

    const apply = async (action: ChaosAction) => {
      switch (action.kind) {
        case 'kill-worker': {
          const w = workers[action.worker];
          if (isAlive(w)) {
            await killChild(w);
            figures.kills += 1;
          }
          await sleep(action.downMs);
          workers[action.worker] = startWorkerProcess(workerEnv);
          return `SIGKILL worker ${action.worker}, restarted after ${action.downMs} ms`;
        }
        case 'restart-redis':
          await redis!.kill();
          await sleep(action.downMs);
          await redis!.start();
          figures.redisRestarts += 1;
          return `Redis killed (all keys lost) and restarted after ${action.downMs} ms`;
        case 'restart-postgres':
          await pg!.kill();
          await sleep(action.downMs);
          await pg!.start();
          figures.postgresRestarts += 1;
          return `PostgreSQL stopped immediately and restarted after ${action.downMs} ms`;
        case 'hold-vm-lock': {
          const vms = (await simCall<SimVm[]>(s, 'GET', '/_sim/state/vms')).filter((v) => v.vmid >= VMID.min);
          const victim = vms[Math.floor(seededRandom(vms.length + SEED)() * vms.length)];
          if (!victim) return 'no VM to lock yet';
          await simCall(s, 'POST', '/_sim/faults/hold-vm-lock', { vmid: victim.vmid, held: true });
          figures.simFaults += 1;
          setTimeout(
            () => void simCall(s, 'POST', '/_sim/faults/hold-vm-lock', { vmid: victim.vmid, held: false }).catch(() => undefined),
            action.heldMs,
          );
          return `config lock of VM ${victim.vmid} held for ${action.heldMs} ms`;
        }
        case 'agent-delay':
          await simCall(s, 'POST', '/_sim/faults/agent-never-starts', { vmid: '*', on: true });
          figures.simFaults += 1;
          setTimeout(
            () => void simCall(s, 'POST', '/_sim/faults/agent-never-starts', { vmid: '*', on: false }).catch(() => undefined),
            action.heldMs,
          );
          return `guest agents silent for ${action.heldMs} ms`;
        case 'slow-clones':
          await simCall(s, 'POST', '/_sim/faults/slow-tasks', { type: 'qmclone', multiplier: action.multiplier });
          figures.simFaults += 1;
          setTimeout(
            () => void simCall(s, 'POST', '/_sim/faults/slow-tasks', { type: 'qmclone', multiplier: 1 }).catch(() => undefined),
            action.heldMs,
          );
          return `clones ${action.multiplier}× slower for ${action.heldMs} ms`;
        case 'storage-lock-timeout':
          await simCall(s, 'POST', '/_sim/faults/storage-lock-timeout', { storage: 'ceph', times: action.times });
          figures.simFaults += action.times;
          return `next ${action.times} clone(s) fail on the ceph storage lock`;
      }
    };

    const plan = chaosPlan(SEED, { kills: KILLS, workers: WORKERS, minGapMs: 1000, maxGapMs: 4000 });
    let lastProgress = 0;
    let state = await settled();
    for (const step of plan) {
      await sleep(step.afterMs);
      say(await apply(step.action));
      if (Date.now() - lastProgress > 5000) {
        state = await settled().catch(() => state);
        say(`progress: ${JSON.stringify(state.counts)}`);
        lastProgress = Date.now();
      }
    }
    say('chaos plan done; waiting for everything to settle');
    while (Date.now() - started < DEADLINE_MS) {
      state = await settled().catch(() => state);
      if (state.done) break;
      if (Date.now() - lastProgress > 5000) {
        say(`progress: ${JSON.stringify(state.counts)}`);
        lastProgress = Date.now();
      }
      await sleep(500);
    }
    say(`settled after ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(state.counts)}`);
    // Let workers finish the bookkeeping after the last status change (cleanups, e-mails).
    await sleep(3000);

    const stats = await simCall<SimStats>(s, 'GET', '/_chaos/stats');
    figures.injected5xx = stats.injected['500'] ?? 0;
    figures.injected595 = stats.injected['595'] ?? 0;
    const vms = await simCall<SimVm[]>(s, 'GET', '/_sim/state/vms');
    const report = await checkInvariants(db, ids, vms, VMID, MIN_ACTIVE_SHARE);
    figures.violations = report.violations.length;
    say(`checked: ${JSON.stringify(report.checked)}`);
    say(`figures: ${JSON.stringify({ ...figures, pveRequests: stats.requests })}`);
    const failures = await db.selectFrom('provisioningRuns').select(['errorCode', 'currentStep']).where('status', '=', 'failed').execute();
    const byCode: Record<string, number> = {};
    for (const f of failures)
      byCode[`${f.errorCode ?? '?'}@${f.currentStep ?? '-'}`] = (byCode[`${f.errorCode ?? '?'}@${f.currentStep ?? '-'}`] ?? 0) + 1;
    say(`failed runs by code@step: ${JSON.stringify(byCode)}`);
    for (const v of report.violations) say(`VIOLATION: ${v}`);
    if (report.violations.length > 0) {
      const open = await db
        .selectFrom('provisioningRuns')
        .innerJoin('vpsRequests', 'vpsRequests.id', 'provisioningRuns.requestId')
        .select([
          'vpsRequests.hostname',
          'provisioningRuns.status',
          'provisioningRuns.currentStep',
          'provisioningRuns.attempt',
          'provisioningRuns.heartbeatAt',
          'provisioningRuns.errorCode',
        ])
        .where('vpsRequests.status', 'not in', ['active', 'failed'])
        .execute();
      for (const r of open) say(`unsettled: ${JSON.stringify(r)}`);
      if (process.env.CHAOS_DEBUG) {
        const { execFileSync } = await import('node:child_process');
        say(execFileSync('redis-cli', ['-p', String(redis.port), '--scan', '--pattern', 'chaos:maintenance*'], { encoding: 'utf8' }));
        say(
          execFileSync('redis-cli', ['-p', String(redis.port), 'zrange', 'chaos:maintenance:repeat', '0', '-1', 'WITHSCORES'], {
            encoding: 'utf8',
          }),
        );
        say(execFileSync('ps', ['-o', 'pid,stat,etime,args', '--ppid', String(process.pid)], { encoding: 'utf8' }));
      }
      for (const [i, w] of workers.entries()) say(`worker ${i} log tail:\n${w?.logs().slice(-3000) ?? ''}`);
    }
    expect(report.violations).toEqual([]);
    expect(figures.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 1));
    provisioned = { ids, operator, workerEnv };
  });

  it('should restore each backup exactly once while workers are killed mid-restore, leaking nothing', async () => {
    if (!provisioned || !db || !sim) throw new Error('the provisioning case did not complete');
    const { ids, operator, workerEnv } = provisioned;
    const s = sim;
    const pve = createPveClient({
      baseUrl: s.url,
      tokenId: s.tokenId,
      tokenSecret: s.tokenSecret,
      ca: readFileSync(s.caFile, 'utf8'),
      timeoutMs: 10_000,
    });
    const backups = backupClient(pve);
    const targets = await db
      .selectFrom('vms')
      .innerJoin('vpsRequests', 'vpsRequests.id', 'vms.requestId')
      .select(['vms.id', 'vms.vmid', 'vms.node'])
      .where('vpsRequests.id', 'in', ids)
      .where('vpsRequests.status', '=', 'active')
      .orderBy('vms.vmid')
      .limit(RESTORES)
      .execute();
    expect(targets.length).toBeGreaterThan(0);
    // One backup of each on its node's directory storage (this cluster has no PBS), as the nightly
    // sweep records it; the standing 500/595 faults are retried.
    for (const [i, vm] of targets.entries()) {
      let done: Awaited<ReturnType<typeof backups.vzdump>> | undefined;
      for (let attempt = 0; !done; attempt += 1) {
        try {
          done = await backups.vzdump(vm.node as string, { vmid: vm.vmid as number, storage: 'local' }, { deadlineMs: 60_000 });
        } catch (err) {
          if (attempt >= 5) throw err;
          await sleep(500);
        }
      }
      await db
        .insertInto('vmBackups')
        .values({
          vmId: vm.id,
          vmid: vm.vmid as number,
          node: vm.node as string,
          storage: 'local',
          backupDate: `2026-11-${String(i + 1).padStart(2, '0')}`,
          outcome: 'ok',
          volid: done.volid,
          upid: done.upid,
          sizeBytes: done.size,
          durationSeconds: done.durationSec,
          finishedAt: new Date(),
        })
        .execute();
    }
    // Restores take long enough for the kills below to land inside them.
    await simCall(s, 'POST', '/_sim/faults/slow-tasks', { type: 'qmrestore', multiplier: 6 });
    const runIds: string[] = [];
    for (const vm of targets) {
      const backup = await db.selectFrom('vmBackups').select('id').where('vmId', '=', vm.id).executeTakeFirstOrThrow();
      const r = await call<{ runId: string; status: string }>(
        operator,
        'POST',
        `/api/v1/vms/${vm.id}/backups/${backup.id}/restore`,
        { mode: 'in_place', confirm: true },
        1,
      );
      if (r.status !== 202 || r.body.status !== 'queued') throw new Error(`restore ${vm.vmid}: ${r.status} ${JSON.stringify(r.body)}`);
      runIds.push(r.body.runId);
    }
    say(`${runIds.length} restores queued; killing workers while they run`);
    const random = seededRandom(SEED + 16);
    let kills = 0;
    for (let k = 0; k < RESTORE_KILLS; k += 1) {
      await sleep(800 + random() * 1500);
      const i = Math.floor(random() * WORKERS);
      if (isAlive(workers[i])) {
        await killChild(workers[i]);
        kills += 1;
      }
      await sleep(200 + random() * 800);
      workers[i] = startWorkerProcess(workerEnv);
      say(`SIGKILL worker ${i} during the restores, restarted`);
    }
    await simCall(s, 'POST', '/_sim/faults/slow-tasks', { type: 'qmrestore', multiplier: 1 });
    const started = Date.now();
    let runs: Array<{ id: string; status: string; errorCode: string | null }> = [];
    while (Date.now() - started < DEADLINE_MS) {
      runs = await db
        .selectFrom('provisioningRuns')
        .select(['id', 'status', 'errorCode'])
        .where('id', 'in', runIds)
        .execute()
        .catch(() => runs);
      if (runs.length === runIds.length && runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) break;
      await sleep(500);
    }
    await sleep(2000);
    const violations: string[] = [];
    for (const r of runs) if (r.status !== 'succeeded') violations.push(`restore run ${r.id} ended ${r.status} (${r.errorCode ?? '-'})`);
    const tasks = await simCall<Array<{ type: string; id: string; exitstatus?: string }>>(s, 'GET', '/_sim/state/tasks');
    const vms = await simCall<SimVm[]>(s, 'GET', '/_sim/state/vms');
    for (const vm of targets) {
      const restores = tasks.filter((t) => t.type === 'qmrestore' && t.id === String(vm.vmid));
      if (restores.length !== 1 || restores[0]?.exitstatus !== 'OK')
        violations.push(
          `VM ${vm.vmid}: ${restores.length} qmrestore task(s) (${restores.map((t) => t.exitstatus ?? 'running').join(', ')}), want exactly one OK`,
        );
      const onCluster = vms.filter((v) => v.vmid === vm.vmid);
      if (onCluster.length !== 1) violations.push(`VM ${vm.vmid}: ${onCluster.length} VMs on the cluster`);
      const cfg = onCluster[0]?.config ?? {};
      if (cfg.lock !== undefined) violations.push(`VM ${vm.vmid}: left locked (${String(cfg.lock)})`);
      if (String(cfg.protection ?? '') !== '1') violations.push(`VM ${vm.vmid}: protection not set again`);
      const power = (onCluster[0] as { status?: string } | undefined)?.status;
      if (power !== 'running') violations.push(`VM ${vm.vmid}: ${power ?? 'absent'} after the restore, was running`);
    }
    // The provisioning invariants still hold: one VM per active request, no vmid or address leaked.
    const report = await checkInvariants(db, ids, vms, VMID, MIN_ACTIVE_SHARE);
    violations.push(...report.violations);
    say(`restores: ${JSON.stringify({ restores: runIds.length, kills, violations: violations.length })}`);
    for (const v of violations) say(`VIOLATION: ${v}`);
    if (violations.length > 0) for (const [i, w] of workers.entries()) say(`worker ${i} log tail:\n${w?.logs().slice(-3000) ?? ''}`);
    expect(violations).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(1);
  });
});
