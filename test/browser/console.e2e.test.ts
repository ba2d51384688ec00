import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { consoleBackendFromConfig } from '@betang/api';
import { Role } from '@betang/core';
import { startSimulator, type RunningSimulator } from '@betang/pve-simulator';
import { makeQueuedProvisionRun, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { Agent } from 'undici';
import pino from 'pino';
import { RunSecretBox } from '@betang/config';
import { createPveClient } from '@betang/proxmox';
import { TEST_SIGNING_MASTER_SECRET } from '@betang/testkit';
import { runToEnd } from '../../apps/worker/src/testing/run-to-end';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, launchBrowser, openCleanPage, signIn, TEXT, type Browser } from './support/browser';
import { fill } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;
const VMID = 100_321;
const PASSWORD = 'sandi-konsol-uji';

describe('browser serial console (real Chromium, API relay, simulated Proxmox)', () => {
  let sim: RunningSimulator;
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let closeBackend: () => Promise<void> = async () => undefined;
  let staffEmail: string;
  let operatorEmail: string;
  let requestId: string;
  let hostname: string;

  /** One PVE API call with the simulator's root token (the test's stand-in for the cluster's own admin). */
  async function pve(method: string, p: string, form: Record<string, string> = {}): Promise<void> {
    const res = await fetch(`${sim.url}/api2/json${p}`, {
      method,
      headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      dispatcher: new Agent({ connect: { ca: sim.caPem } }),
    } as RequestInit);
    if (res.status !== 200) throw new Error(`${method} ${p}: ${res.status} ${res.statusText}`);
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    const end = Date.now() + 20_000;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, guestSsh: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'betang-console-e2e-'));
    writeFileSync(path.join(dir, 'ca.pem'), sim.caPem);
    const made = consoleBackendFromConfig({
      PVE_URL: [sim.url],
      PVE_TOKEN_ID: sim.tokenId,
      PVE_TOKEN_SECRET: sim.tokenSecret,
      PVE_CA_FILE: path.join(dir, 'ca.pem'),
    });
    if (!made) throw new Error('console backend not built');
    closeBackend = made.close;
    stack = await startWebStack({}, { console: { backend: made.backend } });
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);

    // What provisioning leaves behind: the request's VM running on the cluster, here booted with a
    // console password for its cloud-init user (set through PVE, as an operator would).
    const q = await makeQueuedProvisionRun(stack.db, { withAgreement: true });
    hostname = q.hostname;
    const staff = await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: q.institutionId, name: 'Sari Staf' });
    staffEmail = staff.email;
    operatorEmail = (await makeUser(stack.db, { roles: [Role.Operator], name: 'Rina Operator' })).email;
    requestId = q.requestId;
    await stack.db.updateTable('vpsRequests').set({ status: 'active' }).where('id', '=', q.requestId).execute();
    await stack.db
      .insertInto('vms')
      .values({
        requestId: q.requestId,
        institutionId: q.institutionId,
        vmid: VMID,
        node: 'pve1',
        name: hostname,
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        state: 'running',
      })
      .execute();
    await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: String(VMID), full: '1', name: hostname });
    await until(() => sim.state.vm(VMID) !== undefined && !sim.state.vm(VMID)?.config.lock, 'the clone');
    await pve('POST', `/nodes/pve1/qemu/${VMID}/config`, { ciuser: 'admin', cipassword: PASSWORD });
    await until(() => sim.state.vm(VMID)?.config.cipassword === PASSWORD, 'the config');
    await pve('POST', `/nodes/pve1/qemu/${VMID}/status/start`);
    await until(() => sim.state.vm(VMID)?.status === 'running', 'the start');
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await closeBackend();
    await sim?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
  });

  afterEach(() => closeCheckedPage(page, problems));

  const vmId = async (): Promise<string> =>
    (await stack.db.selectFrom('vms').select('id').where('vmid', '=', VMID).executeTakeFirstOrThrow()).id;

  /** The terminal's visible lines (xterm.js's DOM renderer), trailing blanks trimmed. */
  const screenLines = async (): Promise<string[]> =>
    (await page.locator('.xterm-rows > div').allTextContents()).map((l) => l.replace(/\u00a0/g, ' ').trimEnd());

  async function waitForScreen(match: (lines: string[]) => boolean, what: string): Promise<void> {
    const end = Date.now() + 20_000;
    for (;;) {
      const lines = await screenLines();
      if (match(lines)) return;
      if (Date.now() > end) throw new Error(`the console never showed ${what}; it shows:\n${lines.filter(Boolean).join('\n')}`);
      await page.waitForTimeout(100);
    }
  }

  it('opens the console from the VM list, logs in on the serial prompt, types echo halo-betang and reads the output', async () => {
    await page.goto(`${stack.baseUrl}/vms`);
    await page.getByRole('link', { name: T['console.openLink'] }).click();
    await page.getByRole('heading', { level: 1, name: fill(T['console.title']!, { name: hostname }) }).waitFor();
    await page.getByText(T['console.open']!).waitFor();
    await page.locator('.xterm').click();
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.endsWith('login:')), 'the login prompt');
    await page.keyboard.type('admin');
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.startsWith('Password:')), 'the password prompt');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.startsWith(`admin@${hostname}:~$`)), 'the shell prompt');
    await page.keyboard.type('echo halo-betang');
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.includes('halo-betang'), 'the output of echo');
    const lines = await screenLines();
    expect(lines).toContain(`admin@${hostname}:~$ echo halo-betang`);
    expect(lines.join('\n')).not.toContain(PASSWORD);
    // The session is audited with the VM as its target.
    const started = await stack.db.selectFrom('auditLog').select('action').where('action', '=', 'console.session_started').execute();
    expect(started.length).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('an operator opens the same console from the request page', async () => {
    await page.close();
    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vps-requests/${requestId}`);
    await page.getByRole('link', { name: T['console.openLink'] }).click();
    await page.getByText(T['console.open']!).waitFor();
    await page.locator('.xterm').click();
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.endsWith('login:') || x.startsWith(`admin@${hostname}`)), 'the prompt');
  });

  it("says why the console closed and reconnects: a stopped VM prints Proxmox's own line", async () => {
    await pve('POST', `/nodes/pve1/qemu/${VMID}/status/stop`);
    await until(() => sim.state.vm(VMID)?.status === 'stopped', 'the stop');
    await page.goto(`${stack.baseUrl}/vms/${await vmId()}/console`);
    await page.getByText(T['console.closedUnavailable']!).waitFor();
    await waitForScreen((l) => l.includes(`VM ${VMID} not running`), 'the refusal');
    await pve('POST', `/nodes/pve1/qemu/${VMID}/status/start`);
    await until(() => sim.state.vm(VMID)?.status === 'running', 'the start');
    await page.getByRole('button', { name: T['console.reconnect'] }).click();
    await page.getByText(T['console.open']!).waitFor();
  });

  it('sets a console password with "Atur sandi konsol", then logs in with it on the console and runs whoami', async () => {
    const NEW = 'Kuda-Lari-Di-Pantai-7319';
    // What provisioning leaves in the guest: the institution's admin user, created with useradd.
    const institution = await stack.db
      .selectFrom('vms as v')
      .innerJoin('institutions as i', 'i.id', 'v.institutionId')
      .select('i.code')
      .where('v.vmid', '=', VMID)
      .executeTakeFirstOrThrow();
    const user = institution.code.toLowerCase();
    // The provisioning run that built the VM has finished (one live run per request at a time).
    await stack.db.updateTable('provisioningRuns').set({ status: 'succeeded', progress: 100 }).where('requestId', '=', requestId).execute();
    const dispatcher = new Agent({ connect: { ca: sim.caPem } });
    const agentCall = async (p: string, body: string): Promise<number> =>
      (
        await fetch(`${sim.url}/api2/json/nodes/pve1/qemu/${VMID}/agent/${p}`, {
          method: 'POST',
          headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${sim.tokenSecret}`, 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
          dispatcher,
        } as RequestInit)
      ).status;
    const end = Date.now() + 20_000;
    while ((await agentCall('ping', '')) !== 200) {
      if (Date.now() > end) throw new Error('the guest agent never answered');
      await new Promise((r) => setTimeout(r, 100));
    }
    const argv = ['useradd', '--create-home', '--user-group', '--shell', '/bin/bash', '--', user];
    expect(await agentCall('exec', argv.map((a) => `command=${encodeURIComponent(a)}`).join('&'))).toBe(200);

    await page.goto(`${stack.baseUrl}/vms/${await vmId()}/console`);
    await page.getByText(T['console.open']!).waitFor();
    await page.getByRole('button', { name: T['consolePassword.open'] }).click();
    expect(await seriousViolations(page)).toEqual([]);
    // A common password is refused with the policy's reason, and nothing is queued.
    await page.getByLabel(T['consolePassword.new']!).fill('password1234');
    await page.getByLabel(T['consolePassword.current']!).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: T['consolePassword.submit'] }).click();
    await page.getByText('terlalu mudah ditebak').first().waitFor();
    expect(await stack.db.selectFrom('provisioningRuns').select('id').where('kind', '=', 'console_password').execute()).toEqual([]);
    await page.getByLabel(T['consolePassword.new']!).fill(NEW);
    await page.getByLabel(T['consolePassword.current']!).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: T['consolePassword.submit'] }).click();
    await page.getByText(fill(T['consolePassword.queued']!, { user })).waitFor();
    const run = await stack.db
      .selectFrom('provisioningRuns')
      .select(['id', 'params'])
      .where('kind', '=', 'console_password')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(run.params)).not.toContain(NEW);

    // The worker's part, in process: open the sealed password, set it through the guest agent.
    const deps = {
      config: { WORKER_CONCURRENCY: 1, STEP_RETRIES: 1, STEP_RETRY_BASE_MS: 20 },
      db: stack.db,
      logger: pino({ level: 'silent' }),
      pve: createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5_000 }),
      runSecrets: new RunSecretBox(TEST_SIGNING_MASTER_SECRET),
    };
    expect(await runToEnd(deps, run.id)).toMatchObject({ status: 'succeeded', params: {} });

    await page.locator('.xterm').click();
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.endsWith('login:')), 'the login prompt');
    await page.keyboard.type(user);
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.startsWith('Password:')), 'the password prompt');
    await page.keyboard.type(NEW);
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.some((x) => x.startsWith(`${user}@${hostname}:~$`)), 'the shell prompt');
    await page.keyboard.type('whoami');
    await page.keyboard.press('Enter');
    await waitForScreen((l) => l.includes(user), 'the output of whoami');
    expect((await screenLines()).join('\n')).not.toContain(NEW);
  });
});
