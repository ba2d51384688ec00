import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enqueueJob, ensureRunSteps, getRun, listLiveVms, type Db } from '@betang/db';
import { backupClient, createPveClient, parseTags } from '@betang/proxmox';
import {
  childLogEnv,
  createTestDatabase,
  isAlive,
  killChild,
  makeOperator,
  makeQueuedProvisionRun,
  simCall,
  startSimulatorProcess,
  startWorkerProcess,
  testEncrypted,
  testSshKey,
  TEST_MASTER_KEY,
  type QueuedProvision,
  type SimProcess,
  type TestDatabase,
  type TsChild,
} from '@betang/testkit';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { runTag } from '../../apps/worker/src/provisioning/provision-context';
import { PROVISION_STEPS } from '../../apps/worker/src/provisioning/provision.definition';
import { ACTION_STEPS } from '../../apps/worker/src/provisioning/actions/action.definition';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';

/**
 * The worker runs as its own process (`node --import tsx apps/worker/src/main.ts`)
 * against a standalone simulator, PostgreSQL and Redis, and is killed with SIGKILL at every
 * provisioning step (frozen on entering the step; for the clone, also while its task runs), then
 * started again. Every request must end active with exactly one VM, and no vmid or address leaks.
 * Then the same for a change of each VM (grow, open ports, reboot for cores/memory): killed at
 * every step of the change run (and while the reboot task runs), each change must end applied,
 * with exactly one reboot of its VM. Then a lost-key replacement (ssh_keys run), killed at every
 * step: each ends with the guest's authorized_keys written and recorded once. Then restores of a
 * backup, killed at every step (and while the qmrestore task runs): over the VM (`restore` run)
 * each ends with exactly one qmrestore of its VM, running again; into a new VM (a provision run
 * that restores) each ends with exactly one new VM, one qmrestore, and no leaked vmid or address.
 */
jest.setTimeout(300_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const VMID = { min: 100_000, max: 100_199 };
const KEYS = PROVISION_STEPS.map((s) => s.key);
const CHANGE_KEYS = ACTION_STEPS.resize.map((s) => s.key);
const SSH_KEY_STEPS = ACTION_STEPS.ssh_keys.map((s) => s.key);
const RESTORE_STEPS = ACTION_STEPS.restore.map((s) => s.key);

type SimVm = { vmid: number; config: Record<string, unknown>; pending: Record<string, unknown>; status: string };
type SimTask = { type: string; id: string; status: string; exitstatus?: string };

const simAdmin = <T>(sim: SimProcess, method: 'GET' | 'POST', what: string, body?: unknown) =>
  simCall<T>(sim, method, `/_sim/${what}`, body);
const simState = <T>(sim: SimProcess, what: string) => simAdmin<T>(sim, 'GET', `state/${what}`);

describe('worker killed with SIGKILL at every provisioning step', () => {
  let t: TestDatabase;
  let db: Db;
  let sim: SimProcess;
  let worker: TsChild | undefined;
  let redis: Redis;
  let locker: pg.Client;
  let dir: string;
  let workerEnv: Record<string, string>;
  let earlierLogs = '';
  const provisioned: Array<QueuedProvision & { killedAt: string }> = [];
  const prefix = `btk-${randomBytes(4).toString('hex')}`;

  function startWorker(): TsChild {
    const child = startWorkerProcess(workerEnv);
    child.once('exit', () => (earlierLogs = (earlierLogs + child.logs()).slice(-20_000)));
    return child;
  }

  const killWorker = (child: TsChild | undefined) => killChild(child);

  /**
   * What BullMQ does by itself after the lock duration and a stalled-check interval (30 s each):
   * the dead worker's job lock expires and the next check moves the job back to wait. The test
   * fast-forwards that wait instead of sleeping a minute per kill.
   */
  async function fastForwardStall(jobId: string): Promise<void> {
    await redis.del(`${prefix}:provisioning:${jobId}:lock`, `${prefix}:provisioning:stalled-check`);
    await redis.sadd(`${prefix}:provisioning:stalled`, jobId);
  }

  async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 20): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) {
        const outbox = await db.selectFrom('outbox').select(['id', 'topic', 'attempts', 'lastError', 'processedAt']).execute();
        const runs = await db.selectFrom('provisioningRuns').select(['id', 'status', 'currentStep', 'attempt']).execute();
        const activity = (
          await sql`SELECT application_name, state, wait_event_type, wait_event, left(query, 120) AS q FROM pg_stat_activity WHERE datname = current_database()`.execute(
            db,
          )
        ).rows;
        const steps = await db
          .selectFrom('runSteps')
          .select(['runId', 'key', 'status', 'attempt', 'error'])
          .where('status', '<>', 'pending')
          .execute();
        throw new Error(
          `timed out: ${what}\n${JSON.stringify({ workerExit: worker?.exitCode, workerSignal: worker?.signalCode, outbox, runs, steps, activity }, null, 1)}\n${(earlierLogs + (isAlive(worker) ? worker.logs() : '')).slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async function waitersOnLocks(): Promise<number> {
    // Not on `locker`: inside its transaction PostgreSQL would keep answering from one stats snapshot.
    const r = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    return r.rows[0]?.n ?? 0;
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    await makeOperator(db);
    dir = mkdtempSync(path.join(tmpdir(), 'betang-kill-'));
    const key = makeKeyPair();
    writeFileSync(path.join(dir, 'id_ed25519'), key.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${key.publicKey}\n`);
    writeFileSync(path.join(dir, 'ports.json'), '{}');
    sim = await startSimulatorProcess(path.join(__dirname, 'support/sim-server.ts'), {
      PLATFORM_PUBLIC_KEY: key.publicKey,
      GUEST_PORTS_FILE: path.join(dir, 'ports.json'),
      SIM_TIME_FACTOR: '0.03',
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    workerEnv = {
      DATABASE_URL: t.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_WORKER_LOG_LEVEL ?? 'warn',
      DATABASE_POOL_MAX: '6',
      PVE_URL: sim.url,
      PVE_TOKEN_ID: sim.tokenId,
      PVE_TOKEN_SECRET: testEncrypted('PVE_TOKEN_SECRET', sim.tokenSecret),
      BETANG_MASTER_KEY: TEST_MASTER_KEY,
      PVE_CA_FILE: sim.caFile,
      PVE_VMID_MIN: String(VMID.min),
      PVE_VMID_MAX: String(VMID.max),
      PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
      GUEST_SSH_TARGET: 'simulator',
      STEP_RETRY_BASE_MS: '50',
      GUEST_AGENT_WAIT_SECONDS: '30',
      PVE_CLONE_TASK_SECONDS: '60',
      PVE_TASK_SECONDS: '30',
      PVE_SHUTDOWN_SECONDS: '20',
      RECONCILE_EVERY_SECONDS: '0',
      WORKER_CONCURRENCY: '2',
      WORKER_METRICS_PORT: '0',
      ...childLogEnv(),
    };
  });

  afterAll(async () => {
    if (worker) await killWorker(worker);
    sim?.child.kill('SIGTERM');
    await locker?.end().catch(() => undefined);
    const keys = await redis?.keys(`${prefix}:*`);
    if (keys?.length) await redis.del(...keys);
    redis?.disconnect();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should end with exactly one VM per request and no leaked vmid or address', async () => {
    const requests: Array<QueuedProvision & { killedAt: string }> = [];
    const ports: Record<string, number[]> = {};
    // entering: frozen as it marks the step running; mid-task: while the clone task runs on PVE;
    // before-memo: the clone runs on PVE but the memo naming its task is not written yet (the worst moment).
    const plan: Array<{ key: string; mode: 'entering' | 'mid-task' | 'before-memo' }> = [
      ...KEYS.map((key) => ({ key, mode: 'entering' as const })),
      { key: 'clone', mode: 'mid-task' },
      { key: 'clone', mode: 'before-memo' },
    ];
    worker = startWorker();
    for (const [index, kill] of plan.entries()) {
      const q = await makeQueuedProvisionRun(db, {
        ports: [8000 + index],
        hostname: `kill-${index}`,
        poolOctet: 21,
        enqueue: false,
        ...(requests[0] ? { poolId: requests[0].poolId, templateId: requests[0].templateId } : {}),
      });
      ports[q.hostname] = q.ports;
      writeFileSync(path.join(dir, 'ports.json'), JSON.stringify(ports));
      await ensureRunSteps(db, q.runId, KEYS);
      if (kill.mode === 'entering') {
        // Freeze the worker as it enters the step: it blocks marking the step running.
        await locker.query('BEGIN');
        await locker.query('SELECT 1 FROM run_steps WHERE run_id = $1 AND key = $2 FOR UPDATE', [q.runId, kill.key]);
      }
      if (kill.mode === 'before-memo') await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmclone', multiplier: 10 });
      await enqueueJob(db, 'vm.provision', { runId: q.runId }, { dedupKey: `run:${q.runId}` });
      if (kill.mode === 'entering') {
        await until(`worker frozen entering ${kill.key}`, async () => (await waitersOnLocks()) > 0);
      } else if (kill.mode === 'before-memo') {
        await until(
          'clone step running',
          async () =>
            (await db.selectFrom('runSteps').select('status').where('runId', '=', q.runId).where('key', '=', 'clone').executeTakeFirst())
              ?.status === 'running',
          60_000,
          5,
        );
        await locker.query('BEGIN');
        const held = await locker.query('SELECT status FROM run_steps WHERE run_id = $1 AND key = $2 FOR UPDATE', [q.runId, 'clone']);
        expect((held.rows[0] as { status: string }).status).toBe('running');
        // The clone parks on its UPID: the worker freezes writing that memo, the copy running on PVE.
        await until('clone started on PVE, worker frozen writing the memo', async () => (await waitersOnLocks()) > 0);
        const vm = await db.selectFrom('vms').select('vmid').where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
        await until('the clone’s VM on PVE', async () => (await simState<SimVm[]>(sim, 'vms')).some((v) => v.vmid === vm.vmid), 30_000, 20);
        expect(
          await db.selectFrom('runSteps').select('memo').where('runId', '=', q.runId).where('key', '=', 'clone').executeTakeFirst(),
        ).toEqual({
          memo: null,
        });
      } else {
        await until(
          'clone task running',
          async () => {
            const step = await db
              .selectFrom('runSteps')
              .select('status')
              .where('runId', '=', q.runId)
              .where('key', '=', 'clone')
              .executeTakeFirst();
            const tasks = await simState<Array<{ type: string; status: string }>>(sim, 'tasks');
            return step?.status === 'running' && tasks.some((task) => task.type === 'qmclone' && task.status === 'running');
          },
          60_000,
          5,
        );
      }
      await killWorker(worker);
      if (kill.mode !== 'mid-task') await locker.query('ROLLBACK');
      if (kill.mode === 'before-memo') await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmclone', multiplier: 1 });
      requests.push({ ...q, killedAt: `${kill.mode}:${kill.key}` });
      await fastForwardStall(`run-${q.runId}`);
      worker = startWorker();
      const run = await until(
        `run ${q.hostname} finished`,
        async () => {
          const r = await getRun(db, q.runId);
          return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
        },
        90_000,
        100,
      );
      expect({ killedAt: `${kill.mode}:${kill.key}`, status: run.status, error: run.errorMessage }).toEqual({
        killedAt: `${kill.mode}:${kill.key}`,
        status: 'succeeded',
        error: null,
      });
    }
    await killWorker(worker);

    const vms = await simState<SimVm[]>(sim, 'vms');
    for (const q of requests) {
      const mine = vms.filter((v) => parseTags(String(v.config.tags ?? '')).includes(runTag(q.runId)));
      expect({ killedAt: q.killedAt, vms: mine.length }).toEqual({ killedAt: q.killedAt, vms: 1 });
      const request = await db.selectFrom('vpsRequests').select('status').where('id', '=', q.requestId).executeTakeFirstOrThrow();
      expect({ killedAt: q.killedAt, status: request.status }).toEqual({ killedAt: q.killedAt, status: 'active' });
    }
    const live = await listLiveVms(db);
    expect(live).toHaveLength(requests.length);
    const inRange = vms
      .filter((v) => v.vmid >= VMID.min && v.vmid <= VMID.max)
      .map((v) => v.vmid)
      .sort();
    expect(inRange).toEqual(live.map((v) => v.vmid as number).sort());
    const held = await db.selectFrom('ipAllocations').select(['address', 'vmId']).where('releasedAt', 'is', null).execute();
    expect(held).toHaveLength(requests.length);
    expect(new Set(held.map((h) => h.address)).size).toBe(requests.length);
    expect(held.every((h) => h.vmId !== null)).toBe(true);
    const mails = await db.selectFrom('outbox').select('dedupKey').where('dedupKey', 'like', 'vps-ready:%').execute();
    expect(mails).toHaveLength(requests.length);
    provisioned.push(...requests);
  });

  it('should apply each change exactly once when the worker is killed at every step of the change run', async () => {
    expect(provisioned.length).toBeGreaterThanOrEqual(CHANGE_KEYS.length + 1);
    const plan: Array<{ key: string; mode: 'entering' | 'mid-task' }> = [
      ...CHANGE_KEYS.map((key) => ({ key, mode: 'entering' as const })),
      { key: 'reboot', mode: 'mid-task' },
    ];
    await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmreboot', multiplier: 1 });
    worker = startWorker();
    const changed: Array<{
      runId: string;
      vmid: number;
      requestId: string;
      killedAt: string;
      cores: number;
      memoryMiB: number;
      diskGiB: number;
      ports: number[];
    }> = [];
    for (const [index, kill] of plan.entries()) {
      const q = provisioned[index]!;
      const vm = await db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
      const was = { cores: vm.cores, memoryMiB: vm.memoryMiB, diskGiB: vm.diskGiB };
      const target = { cores: vm.cores + 1, memoryMiB: vm.memoryMiB + 1024, diskGiB: vm.diskGiB + 5, ports: [443, 9000 + index] };
      const run = await db
        .insertInto('provisioningRuns')
        .values({
          requestId: q.requestId,
          vmId: vm.id,
          kind: 'resize',
          status: 'queued',
          params: JSON.stringify({ ...target, from: was, before: was, portsFrom: q.ports }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await ensureRunSteps(db, run.id, CHANGE_KEYS);
      if (kill.mode === 'entering') {
        await locker.query('BEGIN');
        await locker.query('SELECT 1 FROM run_steps WHERE run_id = $1 AND key = $2 FOR UPDATE', [run.id, kill.key]);
      } else {
        await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmreboot', multiplier: 20 });
      }
      await enqueueJob(db, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
      if (kill.mode === 'entering') {
        await until(`worker frozen entering ${kill.key} of the change`, async () => (await waitersOnLocks()) > 0);
      } else {
        await until(
          'reboot task running',
          async () => {
            const tasks = await simState<SimTask[]>(sim, 'tasks');
            return tasks.some((task) => task.type === 'qmreboot' && task.id === String(vm.vmid) && task.status === 'running');
          },
          60_000,
          5,
        );
      }
      await killWorker(worker);
      if (kill.mode === 'entering') await locker.query('ROLLBACK');
      else await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmreboot', multiplier: 1 });
      await fastForwardStall(`run-${run.id}`);
      worker = startWorker();
      const done = await until(
        `change of ${q.hostname} finished`,
        async () => {
          const r = await getRun(db, run.id);
          return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
        },
        90_000,
        100,
      );
      expect({ killedAt: `${kill.mode}:${kill.key}`, status: done.status, error: done.errorMessage }).toEqual({
        killedAt: `${kill.mode}:${kill.key}`,
        status: 'succeeded',
        error: null,
      });
      changed.push({ runId: run.id, vmid: vm.vmid as number, requestId: q.requestId, killedAt: `${kill.mode}:${kill.key}`, ...target });
    }
    await killWorker(worker);

    const vms = await simState<SimVm[]>(sim, 'vms');
    const tasks = await simState<SimTask[]>(sim, 'tasks');
    for (const c of changed) {
      const pve = vms.find((v) => v.vmid === c.vmid)!;
      const size = /size=(\d+)G/.exec(String(pve.config.scsi0 ?? ''))?.[1];
      expect({
        killedAt: c.killedAt,
        cores: Number(pve.config.cores),
        memory: Number(String(pve.config.memory).replace('current=', '')),
        diskGiB: Number(size),
        pending: pve.pending,
        status: pve.status,
      }).toEqual({
        killedAt: c.killedAt,
        cores: c.cores,
        memory: c.memoryMiB,
        diskGiB: c.diskGiB,
        pending: {},
        status: 'running',
      });
      const reboots = tasks.filter((task) => task.type === 'qmreboot' && task.id === String(c.vmid));
      expect({ killedAt: c.killedAt, reboots: reboots.length }).toEqual({ killedAt: c.killedAt, reboots: 1 });
      const row = await db
        .selectFrom('vms')
        .select(['cores', 'memoryMiB', 'diskGiB'])
        .where('requestId', '=', c.requestId)
        .executeTakeFirstOrThrow();
      expect({ killedAt: c.killedAt, ...row }).toEqual({
        killedAt: c.killedAt,
        cores: c.cores,
        memoryMiB: c.memoryMiB,
        diskGiB: c.diskGiB,
      });
      const request = await db.selectFrom('vpsRequests').select('ports').where('id', '=', c.requestId).executeTakeFirstOrThrow();
      expect({ killedAt: c.killedAt, ports: request.ports }).toEqual({ killedAt: c.killedAt, ports: c.ports });
      const steps = await db.selectFrom('runSteps').select(['key', 'status']).where('runId', '=', c.runId).execute();
      // Killed while the reboot ran, the restarted step may find it finished and nothing pending: it skips, and the VM rebooted once (above).
      const finished = (st: { key: string; status: string }) =>
        st.status === 'done' || (st.status === 'skipped' && st.key === 'reboot' && c.killedAt === 'mid-task:reboot');
      expect({ killedAt: c.killedAt, notDone: steps.filter((st) => !finished(st)).map((st) => st.key) }).toEqual({
        killedAt: c.killedAt,
        notDone: [],
      });
    }
  });

  it('should replace the admin user’s SSH keys exactly once when the worker is killed at every step of the ssh_keys run', async () => {
    expect(provisioned.length).toBeGreaterThanOrEqual(SSH_KEY_STEPS.length);
    worker = startWorker();
    for (const [index, key] of SSH_KEY_STEPS.entries()) {
      const q = provisioned[index]!;
      const vm = await db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
      const adminUser = q.institutionCode.toLowerCase();
      const keys = [testSshKey(`kill-at-${key}`)];
      const run = await db
        .insertInto('provisioningRuns')
        .values({
          requestId: q.requestId,
          vmId: vm.id,
          kind: 'ssh_keys',
          status: 'queued',
          params: JSON.stringify({ sshPublicKeys: keys, adminUser }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await ensureRunSteps(db, run.id, SSH_KEY_STEPS);
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM run_steps WHERE run_id = $1 AND key = $2 FOR UPDATE', [run.id, key]);
      await enqueueJob(db, 'vm.action', { runId: run.id }, { dedupKey: `run:${run.id}` });
      await until(`worker frozen entering ${key} of the key replacement`, async () => (await waitersOnLocks()) > 0);
      await killWorker(worker);
      await locker.query('ROLLBACK');
      await fastForwardStall(`run-${run.id}`);
      worker = startWorker();
      const done = await until(
        `key replacement of ${q.hostname} finished`,
        async () => {
          const r = await getRun(db, run.id);
          return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
        },
        90_000,
        100,
      );
      expect({ killedAt: key, status: done.status, error: done.errorMessage }).toEqual({ killedAt: key, status: 'succeeded', error: null });
      const files = await simAdmin<Record<string, string>>(sim, 'GET', `guest/files/${vm.vmid}`);
      expect({ killedAt: key, file: files[`/home/${adminUser}/.ssh/authorized_keys`] }).toEqual({ killedAt: key, file: `${keys[0]}\n` });
      const request = await db.selectFrom('vpsRequests').select('sshPublicKeys').where('id', '=', q.requestId).executeTakeFirstOrThrow();
      expect({ killedAt: key, keys: request.sshPublicKeys }).toEqual({ killedAt: key, keys });
      const recorded = await db
        .selectFrom('auditLog')
        .select('id')
        .where('action', '=', 'vm.ssh_keys_replaced')
        .where('targetId', '=', vm.id)
        .execute();
      expect({ killedAt: key, recorded: recorded.length }).toEqual({ killedAt: key, recorded: 1 });
    }
    await killWorker(worker);
  });

  /** Kills the worker frozen entering `key` of `runId` (or, mid-task, while a qmrestore of `vmid` runs), restarts it, awaits the run's end. */
  async function killDuring(
    runId: string,
    key: string,
    mode: 'entering' | 'mid-task',
    vmid: () => Promise<number | null>,
    keys: string[],
    job: 'vm.action' | 'vm.provision',
  ) {
    await ensureRunSteps(db, runId, keys);
    if (mode === 'entering') {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM run_steps WHERE run_id = $1 AND key = $2 FOR UPDATE', [runId, key]);
    } else await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmrestore', multiplier: 30 });
    await enqueueJob(db, job, { runId }, { dedupKey: `run:${runId}` });
    if (mode === 'entering') await until(`worker frozen entering ${key}`, async () => (await waitersOnLocks()) > 0);
    else
      await until(
        'qmrestore task running',
        async () => {
          const id = await vmid();
          const tasks = await simState<SimTask[]>(sim, 'tasks');
          return id !== null && tasks.some((task) => task.type === 'qmrestore' && task.id === String(id) && task.status === 'running');
        },
        60_000,
        5,
      );
    await killWorker(worker);
    if (mode === 'entering') await locker.query('ROLLBACK');
    else await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmrestore', multiplier: 1 });
    await fastForwardStall(`run-${runId}`);
    worker = startWorker();
    return until(
      `run ${runId} finished`,
      async () => {
        const r = await getRun(db, runId);
        return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
      },
      90_000,
      100,
    );
  }

  /** A snapshot-mode vzdump of `vm` to the PBS storage, recorded as the worker's backup sweep records one. */
  async function backUp(vm: { id: string; vmid: number | null; node: string | null }): Promise<{ id: string }> {
    const pve = createPveClient({
      baseUrl: sim.url,
      tokenId: sim.tokenId,
      tokenSecret: sim.tokenSecret,
      ca: readFileSync(sim.caFile, 'utf8'),
      timeoutMs: 10_000,
    });
    try {
      const made = await backupClient(pve).vzdump(vm.node!, { vmid: vm.vmid!, storage: 'pbs', mode: 'snapshot' }, { deadlineMs: 60_000 });
      return await db
        .insertInto('vmBackups')
        .values({
          vmId: vm.id,
          vmid: vm.vmid!,
          node: vm.node!,
          storage: 'pbs',
          backupDate: '2026-12-07',
          outcome: 'ok',
          volid: made.volid,
          finishedAt: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    } finally {
      await pve.close();
    }
  }

  it('should restore exactly once, over the VM or into one new VM, when the worker is killed at every step of a restore', async () => {
    const source = provisioned[0]!;
    const sourceVm = await db.selectFrom('vms').selectAll().where('requestId', '=', source.requestId).executeTakeFirstOrThrow();
    const backup = await backUp(sourceVm);
    const okRestores = async (vmid: number) =>
      (await simState<SimTask[]>(sim, 'tasks')).filter(
        (task) => task.type === 'qmrestore' && task.id === String(vmid) && task.exitstatus === 'OK',
      ).length;
    worker = startWorker();

    // over the VM: one VM per kill point, each restored from its own backup
    const inPlace: Array<{ key: string; mode: 'entering' | 'mid-task' }> = [
      ...RESTORE_STEPS.map((key) => ({ key, mode: 'entering' as const })),
      { key: 'restore', mode: 'mid-task' },
    ];
    for (const [index, kill] of inPlace.entries()) {
      const q = provisioned[index + 1]!;
      const vm = await db.selectFrom('vms').selectAll().where('requestId', '=', q.requestId).executeTakeFirstOrThrow();
      const row = await backUp(vm);
      const before = await okRestores(vm.vmid!);
      const run = await db
        .insertInto('provisioningRuns')
        .values({
          requestId: q.requestId,
          vmId: vm.id,
          kind: 'restore',
          status: 'queued',
          params: JSON.stringify({ backupId: row.id, mode: 'in_place' }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const killedAt = `in-place ${kill.mode}:${kill.key}`;
      const done = await killDuring(run.id, kill.key, kill.mode, async () => vm.vmid, RESTORE_STEPS, 'vm.action');
      expect({ killedAt, status: done.status, error: done.errorMessage }).toEqual({ killedAt, status: 'succeeded', error: null });
      expect({ killedAt, restores: (await okRestores(vm.vmid!)) - before }).toEqual({ killedAt, restores: 1 });
      const pveVm = (await simState<SimVm[]>(sim, 'vms')).find((v) => v.vmid === vm.vmid)!;
      expect({ killedAt, status: pveVm.status, tagged: parseTags(String(pveVm.config.tags ?? '')).includes('betang') }).toEqual({
        killedAt,
        status: 'running',
        tagged: true,
      });
    }

    // into a new VM: a new request per kill point, all from the one backup
    const intoNew: Array<{ key: string; mode: 'entering' | 'mid-task' }> = [
      ...KEYS.map((key) => ({ key, mode: 'entering' as const })),
      { key: 'clone', mode: 'mid-task' },
    ];
    const restored: Array<{ requestId: string; runId: string; killedAt: string }> = [];
    for (const [index, kill] of intoNew.entries()) {
      const q = await makeQueuedProvisionRun(db, {
        ports: [],
        hostname: `pulih-${index}`,
        enqueue: false,
        // the source VM's current sizes, as the API writes the new request
        cores: sourceVm.cores,
        memoryMiB: sourceVm.memoryMiB,
        diskGiB: sourceVm.diskGiB,
        poolId: source.poolId,
        templateId: source.templateId,
      });
      await db.updateTable('vpsRequests').set({ restoreFromBackupId: backup.id }).where('id', '=', q.requestId).execute();
      const killedAt = `new-vm ${kill.mode}:${kill.key}`;
      const vmidOf = async () =>
        (await db.selectFrom('vms').select('vmid').where('requestId', '=', q.requestId).executeTakeFirst())?.vmid ?? null;
      const done = await killDuring(q.runId, kill.key, kill.mode, vmidOf, KEYS, 'vm.provision');
      expect({ killedAt, status: done.status, error: done.errorMessage }).toEqual({ killedAt, status: 'succeeded', error: null });
      const vmid = (await vmidOf())!;
      expect({ killedAt, restores: await okRestores(vmid) }).toEqual({ killedAt, restores: 1 });
      restored.push({ requestId: q.requestId, runId: q.runId, killedAt });
    }
    await killWorker(worker);

    const vms = await simState<SimVm[]>(sim, 'vms');
    for (const r of restored) {
      const mine = vms.filter((v) => parseTags(String(v.config.tags ?? '')).includes(runTag(r.runId)));
      expect({ killedAt: r.killedAt, vms: mine.length, status: mine[0]?.status }).toEqual({
        killedAt: r.killedAt,
        vms: 1,
        status: 'running',
      });
      const request = await db.selectFrom('vpsRequests').select('status').where('id', '=', r.requestId).executeTakeFirstOrThrow();
      expect({ killedAt: r.killedAt, status: request.status }).toEqual({ killedAt: r.killedAt, status: 'active' });
    }
    const live = await listLiveVms(db);
    const inRange = vms
      .filter((v) => v.vmid >= VMID.min && v.vmid <= VMID.max)
      .map((v) => v.vmid)
      .sort();
    expect(inRange).toEqual(live.map((v) => v.vmid as number).sort());
    const held = await db.selectFrom('ipAllocations').select(['address', 'vmId']).where('releasedAt', 'is', null).execute();
    expect(held).toHaveLength(live.length);
    expect(held.every((h) => h.vmId !== null)).toBe(true);
  });
});

/**
 * A run waiting for its guest to boot is parked: its job sits delayed in the queue with no lock
 * and no worker slot, its step's memo in PostgreSQL. A worker killed then loses nothing: the
 * next worker picks the job up when it is due (no stalled-job recovery needed), the wait goes on
 * from its memo, and neither the run nor the step uses up an attempt.
 */
describe('worker killed with SIGKILL while a run is parked', () => {
  let t: TestDatabase;
  let db: Db;
  let sim: SimProcess;
  let worker: TsChild | undefined;
  let redis: Redis;
  let dir: string;
  let workerEnv: Record<string, string>;
  const prefix = `btp-${randomBytes(4).toString('hex')}`;

  async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000, everyMs = 20): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) {
        const runs = await db.selectFrom('provisioningRuns').select(['id', 'status', 'currentStep', 'attempt', 'parkedUntil']).execute();
        throw new Error(`timed out: ${what}\n${JSON.stringify(runs)}\n${isAlive(worker) ? worker.logs().slice(-3000) : ''}`);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    await makeOperator(db);
    dir = mkdtempSync(path.join(tmpdir(), 'betang-park-kill-'));
    const key = makeKeyPair();
    writeFileSync(path.join(dir, 'id_ed25519'), key.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${key.publicKey}\n`);
    writeFileSync(path.join(dir, 'ports.json'), '{}');
    // Slow enough that the guest's boot (20 s simulated ≈ 5 s) is a wait the run parks through.
    sim = await startSimulatorProcess(path.join(__dirname, 'support/sim-server.ts'), {
      PLATFORM_PUBLIC_KEY: key.publicKey,
      GUEST_PORTS_FILE: path.join(dir, 'ports.json'),
      SIM_TIME_FACTOR: '0.25',
    });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    workerEnv = {
      DATABASE_URL: t.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_WORKER_LOG_LEVEL ?? 'warn',
      DATABASE_POOL_MAX: '6',
      PVE_URL: sim.url,
      PVE_TOKEN_ID: sim.tokenId,
      PVE_TOKEN_SECRET: testEncrypted('PVE_TOKEN_SECRET', sim.tokenSecret),
      BETANG_MASTER_KEY: TEST_MASTER_KEY,
      PVE_CA_FILE: sim.caFile,
      PVE_VMID_MIN: String(VMID.min),
      PVE_VMID_MAX: String(VMID.max),
      PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
      GUEST_SSH_TARGET: 'simulator',
      STEP_RETRY_BASE_MS: '50',
      GUEST_AGENT_WAIT_SECONDS: '60',
      PVE_CLONE_TASK_SECONDS: '120',
      PVE_TASK_SECONDS: '60',
      RECONCILE_EVERY_SECONDS: '0',
      WORKER_CONCURRENCY: '1',
      WORKER_METRICS_PORT: '0',
      ...childLogEnv(),
    };
  });

  afterAll(async () => {
    if (worker) await killChild(worker);
    sim?.child.kill('SIGTERM');
    const keys = await redis?.keys(`${prefix}:*`);
    if (keys?.length) await redis.del(...keys);
    redis?.disconnect();
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should resume the parked wait from its memo in the next worker, once, on the first attempt', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [8100], hostname: 'parked-kill', poolOctet: 22, enqueue: false });
    writeFileSync(path.join(dir, 'ports.json'), JSON.stringify({ [q.hostname]: q.ports }));
    await ensureRunSteps(db, q.runId, KEYS);
    worker = startWorkerProcess(workerEnv);
    await enqueueJob(db, 'vm.provision', { runId: q.runId }, { dedupKey: `run:${q.runId}` });
    const jobId = `run-${q.runId}`;
    const parked = await until('run parked in await-agent', async () => {
      const run = await getRun(db, q.runId);
      if (run?.currentStep !== 'await-agent' || !run.parkedUntil) return undefined;
      const delayed = await redis.zscore(`${prefix}:provisioning:delayed`, jobId);
      return delayed === null ? undefined : run;
    });
    const memoBefore = (
      await db.selectFrom('runSteps').select('memo').where('runId', '=', q.runId).where('key', '=', 'await-agent').executeTakeFirstOrThrow()
    ).memo as { startedAt: number; deadlineAt: number; polls: number };
    expect(memoBefore).toMatchObject({ polls: expect.any(Number), deadlineAt: memoBefore.startedAt + 60_000 });
    // Parked: the job holds no lock a stalled-job check would have to expire.
    expect(await redis.exists(`${prefix}:provisioning:${jobId}:lock`)).toBe(0);
    await killChild(worker);
    expect(parked.status).toBe('running');

    worker = startWorkerProcess(workerEnv);
    const run = await until('run finished after the kill', async () => {
      const r = await getRun(db, q.runId);
      return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
    });
    await killChild(worker);
    worker = undefined;
    expect({ status: run.status, error: run.errorMessage, attempt: run.attempt, parkedUntil: run.parkedUntil }).toEqual({
      status: 'succeeded',
      error: null,
      attempt: 1,
      parkedUntil: null,
    });
    const steps = await db.selectFrom('runSteps').select(['key', 'status', 'attempt', 'memo']).where('runId', '=', q.runId).execute();
    // No step ran twice because of the park or the kill; the wait's memo is gone once it ended.
    expect(steps.filter((s) => s.status === 'done').every((s) => s.attempt === 1 && s.memo === null)).toBe(true);
    const vms = await simCall<SimVm[]>(sim, 'GET', '/_sim/state/vms');
    expect(vms.filter((v) => parseTags(String(v.config.tags ?? '')).includes(runTag(q.runId)))).toHaveLength(1);
    const ready = await db.selectFrom('outbox').select('dedupKey').where('dedupKey', 'like', `vps-ready:%`).execute();
    expect(ready).toHaveLength(1);
  });

  it('should resume a clone parked on its UPID in the next worker without a second clone, and release its clone lease', async () => {
    const q = await makeQueuedProvisionRun(db, { ports: [8101], hostname: 'parked-clone-kill', poolOctet: 23, enqueue: false });
    writeFileSync(path.join(dir, 'ports.json'), JSON.stringify({ [q.hostname]: q.ports }));
    await ensureRunSteps(db, q.runId, KEYS);
    // A copy of ≈ 12 s: the run parks on it more than once.
    await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmclone', multiplier: 6 });
    try {
      worker = startWorkerProcess(workerEnv);
      await enqueueJob(db, 'vm.provision', { runId: q.runId }, { dedupKey: `run:${q.runId}` });
      const jobId = `run-${q.runId}`;
      await until('run parked in clone', async () => {
        const run = await getRun(db, q.runId);
        if (run?.currentStep !== 'clone' || !run.parkedUntil) return undefined;
        return (await redis.zscore(`${prefix}:provisioning:delayed`, jobId)) !== null;
      });
      const memo = (
        await db.selectFrom('runSteps').select('memo').where('runId', '=', q.runId).where('key', '=', 'clone').executeTakeFirstOrThrow()
      ).memo as { phase: string; upid: string; vmid: number };
      expect(memo).toMatchObject({ phase: 'copy', upid: expect.stringContaining(':qmclone:') });
      // The lease outlives the worker: it names the copy and lasts past the parking time.
      const leases = await db.selectFrom('cloneLeases').select(['runId', 'upid', 'expiresAt']).execute();
      expect(leases.map((l) => [l.runId, l.upid])).toEqual([[q.runId, memo.upid]]);
      await killChild(worker);
      const tasks = await simState<Array<{ type: string; status: string; upid: string }>>(sim, 'tasks');
      expect(tasks.find((task) => task.upid === memo.upid)?.status).toBe('running');

      worker = startWorkerProcess(workerEnv);
      const run = await until('run finished after the kill', async () => {
        const r = await getRun(db, q.runId);
        return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
      });
      await killChild(worker);
      worker = undefined;
      expect({ status: run.status, error: run.errorMessage, attempt: run.attempt }).toEqual({
        status: 'succeeded',
        error: null,
        attempt: 1,
      });
      const vms = await simCall<SimVm[]>(sim, 'GET', '/_sim/state/vms');
      const mine = vms.filter((v) => parseTags(String(v.config.tags ?? '')).includes(runTag(q.runId)));
      expect(mine.map((v) => v.vmid)).toEqual([memo.vmid]);
      // One clone was ever started for this run: the resumed step looked at the memo's task.
      const after = await simState<Array<{ type: string; upid: string }>>(sim, 'tasks');
      const clonesSince = after.filter((task) => task.type === 'qmclone' && !tasks.some((before) => before.upid === task.upid));
      expect(clonesSince).toEqual([]);
      expect(await db.selectFrom('cloneLeases').selectAll().execute()).toEqual([]);
    } finally {
      await simAdmin(sim, 'POST', 'faults/slow-tasks', { type: 'qmclone', multiplier: 1 });
    }
  });
});
