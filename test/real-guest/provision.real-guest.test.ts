import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminUserForInstitution, DEFAULT_RESTORE_TEST_POLICY } from '@betang/core';
import { putSetting, type Db } from '@betang/db';
import { configureGuest, connectGuest, type GuestConnection } from '@betang/guest';
import { backupClient, createPveClient, termproxyHandshake } from '@betang/proxmox';
import {
  ADMIN_DATABASE_URL,
  call,
  createMigratedDatabase,
  freePort,
  killChild,
  REPO_ROOT,
  seedForRequests,
  signIn,
  simCall,
  startApiProcess,
  startWorkerProcess,
  submitBody,
  TEST_PASSWORD,
  type SimProcess,
} from '@betang/testkit';
import pg from 'pg';
import { pino } from 'pino';
import WebSocket from 'ws';
import { sweepRetainedVms } from '../../apps/worker/src/jobs/decommission-sweep.job';
import { sweepRestoreTests } from '../../apps/worker/src/jobs/restore-tests-sweep.job';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';

/**
 * Two VPS requests provisioned end to end — through the real API process and worker
 * process — on REAL Debian cloud guests booted under qemu by the simulator's `qemu` guest mode
 * (cloud-init from the NoCloud seed, the real qemu-guest-agent, the real sshd). Then an SSH login
 * as the institution's admin user with the requester's key checks what the guest steps promised,
 * a second configuration run changes nothing, and a decommission must stop the qemu process and remove its overlay.
 *
 * Prints per guest: seconds from the start task to SSH-ready (sshd banner through the forward),
 * to the request being active, and the qemu process's peak resident memory.
 * Needs root, qemu-system-x86, qemu-utils, genisoimage, PostgreSQL on 127.0.0.1:5432 and Redis on
 * 127.0.0.1:6379; the guest image is built first when it is not cached (minutes).
 */
// Time for both requests to become active (REAL_GUEST_DEADLINE_SECONDS): software emulation needs
// about one free core per booting guest, and a shared machine may not have it.
const DEADLINE_MS = Number(process.env.REAL_GUEST_DEADLINE_SECONDS ?? '1500') * 1000;
jest.setTimeout(DEADLINE_MS + 600_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const VMID = { min: 130_000, max: 130_099 };
const say = (line: string) => process.stdout.write(`[real-guest ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type QemuInfo = { pid?: number; rssMiB?: number; overlay: string; sshPort?: number; console: string };
type SimTask = { upid: string; type: string; id: string; starttime: number; status: string; exitstatus?: string };

type Sim = Omit<SimProcess, 'child'> & { child: ChildProcess };

/** Starts the qemu-mode simulator, passing the image build's progress lines through (a cold build takes minutes). */
function startQemuSim(): Promise<Sim> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support/qemu-sim.ts')], {
    cwd: REPO_ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-5000);
      for (const line of c.toString().split('\n')) if (line.startsWith('[build-guest-image]')) say(line);
    });
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (line) resolve({ ...(JSON.parse(line) as Omit<Sim, 'child'>), child });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${err}`)));
  });
}

/** Resolves when something on host:port sends an SSH banner (sshd is up behind the forward). */
function sshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      if (data.includes('\n')) done(data.startsWith('SSH-2.0-'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(data.startsWith('SSH-2.0-')));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('provisioning on real qemu guests', () => {
  let dir: string | undefined;
  let sim: Sim | undefined;
  let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  let worker: ReturnType<typeof startWorkerProcess> | undefined;
  let db: Db | undefined;
  let dbName: string | undefined;
  const connections: GuestConnection[] = [];

  afterAll(async () => {
    for (const c of connections) c.dispose();
    await killChild(worker, 'SIGTERM');
    await killChild(api as ChildProcess | undefined);
    await killChild(sim?.child, 'SIGTERM');
    await db?.destroy().catch(() => undefined);
    if (dbName) {
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should provision two VPSs on real guests, configured as promised, and remove a decommissioned one', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'betang-real-guest-'));
    const platform = makeKeyPair('betang-platform');
    writeFileSync(path.join(dir, 'id_ed25519'), platform.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${platform.publicKey}\n`);
    const requester = makeKeyPair('budi@kalteng');

    dbName = `betang_real_guest_${randomBytes(4).toString('hex')}`;
    const database = await createMigratedDatabase(ADMIN_DATABASE_URL, dbName);
    db = database.db;
    const seeded = await seedForRequests(db, 2, 2);
    const inst = seeded.institutions[0]!;

    say('starting the simulator in qemu guest mode (builds the guest image when missing)');
    sim = await startQemuSim();
    const s = sim;
    const apiPort = await freePort();
    api = await startApiProcess({ databaseUrl: database.url, port: apiPort });
    // The guests' network reaches no Debian mirror: the packages step (tested with a mirror in
    // packages-step.int.test.ts) is switched off, as a data center without a mirror would.
    worker = startWorkerProcess({
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: `realguest-${randomBytes(3).toString('hex')}`,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.REAL_GUEST_LOG_LEVEL ?? 'warn',
      PVE_URL: s.url,
      PVE_TOKEN_ID: s.tokenId,
      PVE_TOKEN_SECRET: s.tokenSecret,
      PVE_CA_FILE: s.caFile,
      PVE_VMID_MIN: String(VMID.min),
      PVE_VMID_MAX: String(VMID.max),
      PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
      GUEST_SSH_TARGET: 'simulator',
      GUEST_AGENT_WAIT_SECONDS: '600',
      GUEST_SSH_READY_SECONDS: '120',
      STEP_RETRY_BASE_MS: '2000',
      RECONCILE_EVERY_SECONDS: '0',
      WORKER_CONCURRENCY: '2',
      GUEST_PACKAGE_UPGRADE: 'false',
    });

    const base = `http://127.0.0.1:${apiPort}`;
    const staff = await signIn(base, inst.staffEmail);
    const operator = await signIn(base, seeded.operatorEmail);
    const hostnames = ['app-dinkes', 'app-bappeda'];
    const ids: string[] = [];
    for (const hostname of hostnames) {
      const body = {
        ...submitBody(inst.applicationId, hostname),
        sshPublicKeys: [requester.publicKey],
        network: { publicAccess: false, ports: [443] },
        purpose: 'Uji guest nyata (qemu) / real-guest test',
      };
      const r = await call<{ id: string }>(staff, 'POST', '/api/v1/vps-requests', body, 1);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    for (const id of ids) expect((await call(operator, 'POST', `/api/v1/vps-requests/${id}/approve`, {}, 1)).status).toBe(200);
    say('two requests submitted and approved');

    // Watch both guests: the start task's time, the first SSH banner, the peak qemu memory.
    const figures = new Map<
      number,
      { startAt?: number; sshAt?: number; activeAt?: number; peakMiB: number; pid?: number; overlay?: string }
    >();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const tasks = await simCall<SimTask[]>(s, 'GET', '/_sim/state/tasks').catch(() => [] as SimTask[]);
        for (const t of tasks) {
          const vmid = Number(t.id);
          if (t.type !== 'qmstart' || vmid < VMID.min) continue;
          const f = figures.get(vmid) ?? { peakMiB: 0 };
          f.startAt ??= t.starttime * 1000;
          figures.set(vmid, f);
        }
        for (const [vmid, f] of figures) {
          const info = await simCall<QemuInfo | null>(s, 'GET', `/_sim/guest/qemu/${vmid}`).catch(() => null);
          if (!info?.pid) continue;
          f.pid = info.pid;
          f.overlay = info.overlay;
          f.peakMiB = Math.max(f.peakMiB, info.rssMiB ?? 0);
          if (!f.sshAt && info.sshPort && (await sshBanner('127.0.0.1', info.sshPort))) f.sshAt = Date.now();
        }
        await sleep(1000);
      }
    })();

    // Both requests must become active (or fail with a reason, which fails the test with it).
    const deadline = Date.now() + DEADLINE_MS;
    let rows: Array<{ id: string; status: string; statusReason: string | null }> = [];
    while (Date.now() < deadline) {
      rows = await db.selectFrom('vpsRequests').select(['id', 'status', 'statusReason']).where('id', 'in', ids).execute();
      for (const r of rows) {
        if (r.status !== 'active') continue;
        const vm = await db.selectFrom('vms').select(['vmid']).where('requestId', '=', r.id).executeTakeFirst();
        const f = vm?.vmid ? figures.get(vm.vmid) : undefined;
        if (f && !f.activeAt) f.activeAt = Date.now();
      }
      if (rows.every((r) => r.status === 'active' || r.status === 'failed')) break;
      await sleep(2000);
    }
    if (!rows.every((r) => r.status === 'active')) {
      const runs = await db.selectFrom('provisioningRuns').selectAll().execute();
      say(
        `not active: ${JSON.stringify(rows)}\nruns: ${JSON.stringify(runs.map((r) => ({ status: r.status, code: r.errorCode, error: r.errorMessage })))}`,
      );
      say(`worker log:\n${worker.logs()}`);
    }
    expect(rows.map((r) => r.status)).toEqual(['active', 'active']);

    // Log in as the admin user with the requester's key, trusting only the pinned host key.
    const vms = await db
      .selectFrom('vms')
      .innerJoin('vpsRequests', 'vpsRequests.id', 'vms.requestId')
      .innerJoin('ipAllocations', (j) =>
        j.onRef('ipAllocations.requestId', '=', 'vms.requestId').on('ipAllocations.releasedAt', 'is', null),
      )
      .select(['vms.id', 'vms.vmid as pveVmid', 'vpsRequests.hostname', 'ipAllocations.address as ipAddress', 'vms.hostKey'])
      .where('vms.requestId', 'in', ids)
      .orderBy('vpsRequests.hostname')
      .execute();
    expect(vms).toHaveLength(2);
    const code = (await db.selectFrom('institutions').select('code').where('id', '=', inst.id).executeTakeFirstOrThrow()).code;
    const adminUser = adminUserForInstitution(code);
    for (const vm of vms) {
      const info = await simCall<QemuInfo>(s, 'GET', `/_sim/guest/qemu/${vm.pveVmid}`);
      const ssh = await simCall<{ host: string; port: number }>(s, 'GET', `/_sim/guest/ssh/${vm.pveVmid}`);
      expect(info.sshPort).toBe(ssh.port);
      const conn = await connectGuest({
        host: ssh.host,
        port: ssh.port,
        username: adminUser,
        privateKey: requester.privateKey,
        pinnedHostKey: vm.hostKey ?? '',
        readyTimeoutMs: 30_000,
      });
      connections.push(conn);
      const run = async (command: string) => (await conn.exec(command)).stdout.trim();
      expect(await run('hostname')).toBe(vm.hostname);
      expect(await run('ip -4 -o addr show')).toContain(` ${vm.ipAddress}/`);
      const sshd = await run('sudo -n sshd -T');
      expect(sshd).toMatch(/^passwordauthentication no$/m);
      expect(sshd).toMatch(/^kbdinteractiveauthentication no$/m);
      expect(sshd).toMatch(/^permitrootlogin no$/m);
      const ufw = await run('sudo -n ufw status');
      expect(ufw).toContain('Status: active');
      expect(ufw).toMatch(/^22\/tcp\s+ALLOW/m);
      expect(ufw).toMatch(/^443\/tcp\s+ALLOW/m);
      expect(await run('readlink -f /etc/localtime')).toBe('/usr/share/zoneinfo/Asia/Jakarta');
      const apt = await run('apt-config dump APT::Periodic');
      expect(apt).toContain('APT::Periodic::Unattended-Upgrade "1";');
      expect(await run('systemctl is-enabled apt-daily-upgrade.timer')).toBe('enabled');
      expect(await run('cloud-init status')).toMatch(/status: (done|degraded)/);

      // A second configuration run, as the worker makes it (the platform's ciuser and key, the
      // request's spec), finds nothing to change on the real guest.
      const platformConn = await connectGuest({
        host: ssh.host,
        port: ssh.port,
        username: 'betang',
        privateKey: platform.privateKey,
        pinnedHostKey: vm.hostKey ?? '',
        readyTimeoutMs: 30_000,
      });
      connections.push(platformConn);
      const again = await configureGuest(platformConn, {
        hostname: vm.hostname,
        adminUser,
        sshPublicKeys: [requester.publicKey],
        allowedTcpPorts: [443],
        packageUpgrade: false,
      });
      expect(again.filter((r) => r.changed).map((r) => r.key)).toEqual([]);
    }
    watching = false;
    await watcher;

    for (const [vmid, f] of figures) {
      const ready = f.startAt && f.sshAt ? ((f.sshAt - f.startAt) / 1000).toFixed(1) : '?';
      const active = f.startAt && f.activeAt ? ((f.activeAt - f.startAt) / 1000).toFixed(1) : '?';
      say(`VM ${vmid}: start task → SSH ready ${ready} s, → request active ${active} s, qemu peak RSS ${f.peakMiB} MiB`);
    }

    // Lost key, locked out: the owner replaces the admin user's keys through the real
    // qemu-guest-agent (PVE's agent/file-write; no network path into the guest). The new key logs
    // in; the old one no longer does.
    const survivor = vms[1]!;
    const survivorSsh = await simCall<{ host: string; port: number }>(s, 'GET', `/_sim/guest/ssh/${survivor.pveVmid}`);
    const rescue = makeKeyPair('budi@laptop-baru');
    const replaced = await call<{ runId: string }>(
      staff,
      'POST',
      `/api/v1/vms/${survivor.id}/ssh-keys`,
      { sshPublicKeys: [rescue.publicKey], password: TEST_PASSWORD },
      1,
    );
    expect(replaced.status).toBe(202);
    const keysBy = Date.now() + 180_000;
    let keysRun = { status: 'queued', errorMessage: null as string | null };
    while (Date.now() < keysBy) {
      keysRun = await db
        .selectFrom('provisioningRuns')
        .select(['status', 'errorMessage'])
        .where('id', '=', replaced.body.runId)
        .executeTakeFirstOrThrow();
      if (keysRun.status === 'succeeded' || keysRun.status === 'failed') break;
      await sleep(1000);
    }
    expect(keysRun).toEqual({ status: 'succeeded', errorMessage: null });
    const withRescue = await connectGuest({
      host: survivorSsh.host,
      port: survivorSsh.port,
      username: adminUser,
      privateKey: rescue.privateKey,
      pinnedHostKey: survivor.hostKey ?? '',
      readyTimeoutMs: 30_000,
    });
    connections.push(withRescue);
    expect((await withRescue.exec('hostname')).stdout.trim()).toBe(survivor.hostname);
    expect((await withRescue.exec(`cat /home/${adminUser}/.ssh/authorized_keys`)).stdout.trim()).toBe(rescue.publicKey.trim());
    await expect(
      connectGuest({
        host: survivorSsh.host,
        port: survivorSsh.port,
        username: adminUser,
        privateKey: requester.privateKey,
        pinnedHostKey: survivor.hostKey ?? '',
        readyTimeoutMs: 30_000,
      }),
    ).rejects.toThrow();
    say(`VM ${survivor.pveVmid}: admin keys replaced through the guest agent; the new key logs in, the old one is refused`);

    // Locked out: a rescue password set through the real qemu-guest-agent (agent/set-user-password)
    // logs in on the guest's real serial getty, reached as Betang's console reaches it: PVE's
    // termproxy + vncwebsocket, the ticket handshake, the 0:LEN:DATA input framing.
    const pve = createPveClient({
      baseUrl: s.url,
      tokenId: s.tokenId,
      tokenSecret: s.tokenSecret,
      ca: readFileSync(s.caFile, 'utf8'),
      timeoutMs: 30_000,
    });
    try {
      const node = (await db.selectFrom('vms').select('node').where('id', '=', survivor.id).executeTakeFirstOrThrow()).node ?? 'pve1';
      const guest = pve.vm(node, Number(survivor.pveVmid));
      const rescuePassword = 'Konsol-Darurat-2026';
      await guest.agent.setUserPassword(adminUser, rescuePassword);
      const tp = await guest.openTermproxy({ serial: 'serial0' });
      const target = pve.vncWebsocket(node, Number(survivor.pveVmid), tp);
      const socket = new WebSocket(target.url, target.protocols, { headers: target.headers, ca: target.tls.ca });
      let screen = '';
      socket.on('message', (data: Buffer) => {
        screen += data.toString('utf8');
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const shows = async (pattern: RegExp, ms: number) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          if (pattern.test(screen)) return;
          await sleep(300);
        }
        throw new Error(`serial console: no ${String(pattern)} in ${JSON.stringify(screen.slice(-400))}`);
      };
      const type = (text: string) => socket.send(`0:${Buffer.byteLength(text)}:${text}`);
      socket.send(termproxyHandshake(tp));
      await shows(/^OK/, 10_000);
      type('\r');
      await shows(/login: ?$/m, 60_000);
      type(`${adminUser}\r`);
      await shows(/Password: ?$/m, 20_000);
      type(`${rescuePassword}\r`);
      await sleep(3000);
      type('whoami\r');
      // bash echoes the command; the answer is the user name alone on its line
      await shows(new RegExp(`[\\r\\n]${adminUser}\\r\\n`), 30_000);
      socket.close();
      say(`VM ${survivor.pveVmid}: rescue password set through the guest agent; logged in on the serial console`);
    } finally {
      await pve.close();
    }

    // The monthly test restore of the survivor: a real vzdump of its disk to PBS, restored by the
    // test-restore sweep into a copy on the port-less bridge, booted from the archive's disk, its
    // own qemu-guest-agent answering and its root filesystem mounted, then destroyed.
    const pveForTest = createPveClient({
      baseUrl: s.url,
      tokenId: s.tokenId,
      tokenSecret: s.tokenSecret,
      ca: readFileSync(s.caFile, 'utf8'),
      timeoutMs: 30_000,
    });
    try {
      const node = (await db.selectFrom('vms').select('node').where('id', '=', survivor.id).executeTakeFirstOrThrow()).node ?? 'pve1';
      const backup = await backupClient(pveForTest).vzdump(
        node,
        { vmid: Number(survivor.pveVmid), storage: 'pbs' },
        { deadlineMs: 300_000 },
      );
      await db
        .insertInto('vmBackups')
        .values({
          vmId: survivor.id,
          backupDate: new Date().toISOString().slice(0, 10),
          node,
          vmid: Number(survivor.pveVmid),
          storage: 'pbs',
          outcome: 'ok',
          finishedAt: new Date(),
          volid: backup.volid,
          sizeBytes: backup.size,
          durationSeconds: backup.durationSec,
          upid: backup.upid,
        })
        .execute();
      // provisioned "days ago", and due now: its month's test starts at the next sweep
      await db
        .updateTable('vms')
        .set({ createdAt: new Date(Date.now() - 5 * 86_400_000) })
        .where('id', '=', survivor.id)
        .execute();
      await putSetting(
        db,
        'restore_test_policy',
        { ...DEFAULT_RESTORE_TEST_POLICY, spreadDays: 1, windowStart: '00:00', windowEnd: '00:01', vmidMin: 990_000, vmidMax: 990_009 },
        null,
      );
      const deps = { db, logger: pino({ level: 'silent' }), pve: pveForTest, config: { WORKER_CONCURRENCY: 1 } };
      const testBy = Date.now() + 600_000;
      let test: { stage: string; outcome: string; testVmid: number | null; checks: unknown; error: unknown } | undefined;
      let copyWasUnreachable = false;
      while (Date.now() < testBy) {
        await sweepRestoreTests(deps);
        test = await db
          .selectFrom('vmRestoreTests')
          .select(['stage', 'outcome', 'testVmid', 'checks', 'error'])
          .where('vmId', '=', survivor.id)
          .executeTakeFirst();
        if (test?.stage === 'check' && test.testVmid !== null) {
          // booted on the isolated bridge: qemu runs it, and nothing is forwarded to its port 22
          const copy = await simCall<QemuInfo | null>(s, 'GET', `/_sim/guest/qemu/${test.testVmid}`).catch(() => null);
          if (copy?.pid) copyWasUnreachable = copy.sshPort === undefined;
        }
        if (test?.stage === 'done') break;
        await sleep(3000);
      }
      expect(test).toMatchObject({ stage: 'done', outcome: 'ok', error: null });
      expect(test?.checks).toMatchObject({
        agent: true,
        os: expect.stringMatching(/^Debian GNU\/Linux 12/),
        rootFilesystem: { type: 'ext4' },
      });
      expect(copyWasUnreachable).toBe(true);
      expect((await simCall<Array<{ vmid: number }>>(s, 'GET', '/_sim/state/vms')).some((v) => v.vmid === test?.testVmid)).toBe(false);
      say(`VM ${survivor.pveVmid}: its backup restored into a copy on the isolated bridge, booted, agent and / checked, copy destroyed`);
    } finally {
      await pveForTest.close();
    }

    // Decommission the first one: its qemu process and its overlay must be gone.
    const victim = vms[0]!;
    const victimFigures = figures.get(Number(victim.pveVmid));
    expect(victimFigures?.pid).toBeDefined();
    expect(existsSync(victimFigures?.overlay ?? '')).toBe(true);
    const d = await call(
      staff,
      'POST',
      `/api/v1/vms/${victim.id}/decommission`,
      { reason: 'Uji selesai / test done', confirmHostname: victim.hostname },
      1,
    );
    expect(d.status).toBe(202);
    // The VM is stopped and retained first; end its grace period at once and sweep, as the
    // scheduled decommission.sweep would when the days have passed.
    const stopRun = (d.body as { runId: string }).runId;
    const stopBy = Date.now() + 120_000;
    while (Date.now() < stopBy) {
      const run = await db.selectFrom('provisioningRuns').select('status').where('id', '=', stopRun).executeTakeFirstOrThrow();
      if (run.status === 'succeeded' || run.status === 'failed') break;
      await sleep(500);
    }
    await db.updateTable('vms').set({ retainedUntil: new Date() }).where('id', '=', victim.id).where('state', '=', 'retained').execute();
    expect((await sweepRetainedVms(db, pino({ level: 'silent' }))).destroyed).toBe(1);
    const until = Date.now() + 300_000;
    while (Date.now() < until) {
      const left = await simCall<Array<{ vmid: number }>>(s, 'GET', '/_sim/state/vms');
      if (!left.some((v) => v.vmid === Number(victim.pveVmid))) break;
      await sleep(1000);
    }
    expect((await simCall<Array<{ vmid: number }>>(s, 'GET', '/_sim/state/vms')).some((v) => v.vmid === Number(victim.pveVmid))).toBe(
      false,
    );
    expect(alive(victimFigures?.pid ?? 0)).toBe(false);
    expect(existsSync(victimFigures?.overlay ?? '')).toBe(false);
    // The other guest is untouched.
    const other = figures.get(Number(vms[1]!.pveVmid));
    expect(alive(other?.pid ?? 0)).toBe(true);
    say(`VM ${victim.pveVmid} decommissioned: qemu ${victimFigures?.pid} gone, overlay removed`);
  });
});
