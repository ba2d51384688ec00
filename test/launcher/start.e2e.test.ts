import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  childLogEnv,
  freePort,
  portIsFree,
  REPO_ROOT,
  spawnTs,
  testEncrypted,
  TEST_MASTER_KEY,
  TEST_SIGNING_MASTER_SECRET,
} from '@betang/testkit';
import { ensureWebBuild } from '../browser/support/web-build';

/**
 * The README's start command on embedded defaults (no DATABASE_URL, REDIS_URL or PVE_*): PGlite,
 * the queue on PostgreSQL, the simulated cluster. A demo user signs in and reads /api/v1/me, a
 * request goes from submission to an active VM, stopping the launcher stops everything, and a
 * second start on the same home finds the VM in both the database and the simulated cluster.
 */
jest.setTimeout(420_000);

const PASSWORD = 'Betang-Demo-2026';

/** Paths under `root` (directories always; files too unless `dirsOnly`) whose mode gives anything to the group or others. */
function looseEntries(root: string, dirsOnly = false): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const s = lstatSync(p);
    if (s.isSymbolicLink()) return;
    if ((s.mode & 0o077) !== 0 && (s.isDirectory() || !dirsOnly))
      out.push(`${path.relative(root, p) || '.'} ${(s.mode & 0o777).toString(8)}`);
    if (s.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return out;
}

type Launcher = { output: () => string; stop: () => Promise<number | null | 'timeout'> };

/** Starts the README's start command with `env` and waits until it says it is running. */
async function startLauncher(env: NodeJS.ProcessEnv): Promise<Launcher> {
  const launcher = spawnTs(path.join(REPO_ROOT, 'apps/launcher/src/main.ts'), env, { inheritEnv: false, logName: 'e2e-launcher' });
  let output = '';
  launcher.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  launcher.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
  const stop = async () => {
    launcher.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 30_000)))]);
    clearTimeout(timer);
    if (code === 'timeout') launcher.kill('SIGKILL');
    return code;
  };
  for (let i = 0; i < 600 && !output.includes('Tekan Ctrl+C'); i += 1) {
    if (launcher.exitCode !== null) throw new Error(`launcher exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!output.includes('Tekan Ctrl+C')) {
    await stop();
    throw new Error(`launcher did not come up:\n${output}`);
  }
  return { output: () => output, stop };
}

/** Signs a demo user in over HTTP and returns a JSON caller carrying the session and CSRF token. */
async function signIn(base: string, email: string) {
  const response = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${base}${p}`, {
      method,
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json().catch(() => null)) as Record<string, unknown> & { items?: { id: string }[] } };
  };
}

describe('npm start on embedded defaults', () => {
  it('should start api + worker, let a demo user sign in, provision a VPS, stop cleanly, and keep the VM across a restart', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'betang-home-'));
    const port = await freePort();
    // Build the UI the way the browser tests do (under their lock), so the launcher does not rebuild it under them.
    const webDist = await ensureWebBuild();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WEB_DIST_DIR: webDist,
      BETANG_HOME: home,
      PORT: String(port),
      BETANG_SIM_TIME_FACTOR: '0.02',
      LOG_PRETTY: 'false',
      LOG_LEVEL: 'warn',
      ...childLogEnv(),
      // the API reads its signing secret as production does: an enc:v1 value and the master key
      BETANG_MASTER_KEY: TEST_MASTER_KEY,
      SIGNING_MASTER_SECRET: testEncrypted('SIGNING_MASTER_SECRET', TEST_SIGNING_MASTER_SECRET),
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'PVE_URL', 'PVE_TOKEN_ID', 'PVE_TOKEN_SECRET', 'SMTP_URL', 'NODE_ENV'])
      delete env[name];
    const base = `http://127.0.0.1:${port}/api/v1`;
    let vmid: number | undefined;
    let vmId: string | undefined;
    let requestId: string | undefined;
    try {
      const first = await startLauncher(env);
      let code: number | null | 'timeout';
      try {
        expect(first.output()).toContain(`Betang berjalan / is running: http://127.0.0.1:${port}`);
        expect(first.output()).toContain('staf.adpim@betang.demo');

        const staff = await signIn(base, 'staf.adpim@betang.demo');
        const me = await staff('GET', '/me');
        expect(me.status).toBe(200);
        expect((me.body.user as { email: string }).email).toBe('staf.adpim@betang.demo');
        const page = await fetch(`http://127.0.0.1:${port}/`);
        expect(page.headers.get('content-type')).toMatch(/text\/html/);
        expect(await page.text()).toMatch(/<div id="root">/);

        const apps = await staff('GET', '/applications');
        const submitted = await staff('POST', '/vps-requests', {
          applicationId: apps.body.items![0]!.id,
          hostname: 'demo-web-01',
          templateId: 'debian-12',
          presetId: 'small',
          sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl budi@laptop'],
          purpose: 'Uji perintah mulai Betang',
          network: { publicAccess: false, ports: [443] },
          contact: { name: 'Budi Santoso', nip: '198501012010011001', phone: '+62 812 5000 0101', email: 'budi@kalteng.go.id' },
        });
        expect(submitted.status).toBe(201);
        const operator = await signIn(base, 'operator@betang.demo');
        expect((await operator('POST', `/vps-requests/${submitted.body.id}/approve`, {})).status).toBe(200);
        let view = submitted.body;
        for (let i = 0; i < 240 && !['active', 'failed'].includes(String(view.status)); i += 1) {
          await new Promise((r) => setTimeout(r, 500));
          view = (await staff('GET', `/vps-requests/${submitted.body.id}`)).body;
        }
        expect({ status: view.status, reason: view.statusReason }).toEqual({ status: 'active', reason: null });
        expect(view.vm).toMatchObject({ state: 'running', ipAddress: '10.120.0.20' });
        vmid = (view.vm as { vmid: number }).vmid;
        vmId = (view.vm as { id: string }).id;
        requestId = String(submitted.body.id);
        // The worker's e-mail sender writes the hand-over e-mail within a round or two.
        const readyMail = () =>
          readdirSync(path.join(home, 'mail')).some((f) =>
            readFileSync(path.join(home, 'mail', f), 'utf8').includes('Subject: VPS demo-web-01 siap digunakan'),
          );
        for (let i = 0; i < 40 && !readyMail(); i += 1) await new Promise((r) => setTimeout(r, 250));
        expect(readyMail()).toBe(true);
        // The home is this user's only while running (PGlite's own new files sit in 0700 directories) …
        expect(lstatSync(home).mode & 0o777).toBe(0o700);
        expect(looseEntries(home, true)).toEqual([]);
        expect(looseEntries(home).filter((p) => !p.startsWith('pgdata/'))).toEqual([]);
        expect(readdirSync(path.join(home, 'run'))).toEqual(['.s.PGSQL.5432']);
      } finally {
        code = await first.stop();
      }
      expect(code).toBe(0);
      // … and every file in it is 0600 once stopped.
      expect(looseEntries(home)).toEqual([]);
      expect(await portIsFree(port)).toBe(true);

      // Started again on the same home: the database and the simulated cluster both still hold the VM.
      const saved = JSON.parse(readFileSync(path.join(home, 'simulator-cluster.json'), 'utf8')) as {
        vms: { vmid: number; running: boolean }[];
      };
      expect(saved.vms.find((v) => v.vmid === vmid)).toMatchObject({ running: true });
      const second = await startLauncher(env);
      try {
        expect(second.output()).toMatch(/simulated cluster restored: \d+ VM/);
        const operator = await signIn(base, 'operator@betang.demo');
        const vms = await operator('GET', '/vms');
        expect(vms.status).toBe(200);
        expect((vms.body.items as unknown as { vmid: number; state: string }[]).find((v) => v.vmid === vmid)).toMatchObject({
          state: 'running',
        });
        // A day-2 action reaches the VM in the restored cluster (it would fail on a VM PVE does not know).
        const action = await operator('POST', `/vms/${vmId!}/actions`, { action: 'reboot' });
        expect(action.status).toBe(202);
        let run = { id: '', status: '' };
        for (let i = 0; i < 120 && !(run.id === action.body.runId && ['succeeded', 'failed'].includes(run.status)); i += 1) {
          await new Promise((r) => setTimeout(r, 500));
          run = ((await operator('GET', `/vps-requests/${requestId!}`)).body.run as typeof run | null) ?? run;
        }
        expect(run).toMatchObject({ id: action.body.runId, status: 'succeeded' });
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
