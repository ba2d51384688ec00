import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { enqueueJob } from '@betang/db';
import {
  killChild,
  makeAgreementInForce,
  REPO_ROOT,
  startSimulatorProcess,
  startWorkerProcess,
  stopChild,
  testSshKey,
  TEST_PASSWORD,
  type SimProcess,
  type TsChild,
} from '@betang/testkit';
import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import { makeKeyPair } from '../../apps/worker/src/testing/provisioning-env';
import { seriousViolations } from './support/axe';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { apiSession, fill, makePortalWorld, startPortalStack, type PortalStack, type PortalWorld } from './support/portal-fixtures';

/**
 * The whole flow in a real browser against every real part: API serving the web build, the worker
 * as its own process (`node --import tsx apps/worker/src/main.ts`) on PostgreSQL and Redis, and a
 * simulated Proxmox cluster (test/worker/support/sim-server.ts) whose guests emulate Debian over
 * SSH. Staff submit, an operator approves (over the API), the open page follows provisioning
 * live until the VM is active with its address and how to connect; then a reboot from the VM list;
 * then a change asked on the VM card (bigger disk, one more port), approved in the operators'
 * queue that shows it as before → after, and applied by the worker.
 */
jest.setTimeout(300_000);

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T = TEXT.id;
const HOSTNAME = 'sipd-web-01';

describe('VPS request from the form to an active VM (browser + API + worker + simulator)', () => {
  let stack: PortalStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let sim: SimProcess;
  let worker: TsChild;
  let dir: string;
  const prefix = `btw-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    stack = await startPortalStack();
    world = await makePortalWorld(stack.db);
    await makeAgreementInForce(stack.db, world.institutionId);
    // the simulator's template VM (9000 on pve1, storage ceph), as the catalog maps it
    await stack.db.updateTable('catalogTemplates').set({ pveNode: 'pve1', storage: 'ceph' }).where('id', '=', 'debian-12').execute();
    dir = mkdtempSync(path.join(tmpdir(), 'betang-web-flow-'));
    const key = makeKeyPair();
    writeFileSync(path.join(dir, 'id_ed25519'), key.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'id_ed25519.pub'), `${key.publicKey}\n`);
    writeFileSync(path.join(dir, 'ports.json'), JSON.stringify({ [HOSTNAME]: [80, 443] }));
    sim = await startSimulatorProcess(path.join(REPO_ROOT, 'test/worker/support/sim-server.ts'), {
      PLATFORM_PUBLIC_KEY: key.publicKey,
      GUEST_PORTS_FILE: path.join(dir, 'ports.json'),
      SIM_TIME_FACTOR: '0.03',
    });
    const env = {
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_MAX: '4',
      PVE_URL: sim.url,
      PVE_TOKEN_ID: sim.tokenId,
      PVE_TOKEN_SECRET: sim.tokenSecret,
      PVE_CA_FILE: sim.caFile,
      PVE_VMID_MIN: '100000',
      PVE_VMID_MAX: '100199',
      PROVISION_SSH_KEY_FILE: path.join(dir, 'id_ed25519'),
      GUEST_SSH_TARGET: 'simulator',
      STEP_RETRY_BASE_MS: '50',
      GUEST_AGENT_WAIT_SECONDS: '60',
      PVE_CLONE_TASK_SECONDS: '60',
      PVE_TASK_SECONDS: '30',
      PVE_SHUTDOWN_SECONDS: '20',
      RECONCILE_EVERY_SECONDS: '0',
      WORKER_CONCURRENCY: '2',
      WORKER_METRICS_PORT: '0',
    };
    worker = startWorkerProcess(env);
    browser = await launchBrowser();
    // CI shares two cores with the API, PostgreSQL and (here) more: allow slow moments
    browser.context.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await stopChild(worker);
    await killChild(sim?.child, 'SIGTERM');
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

  async function waitOnPage(what: () => Promise<unknown>, label: string): Promise<void> {
    try {
      await what();
    } catch (error) {
      const runs = await stack.db.selectFrom('provisioningRuns').select(['kind', 'status', 'currentStep', 'errorMessage']).execute();
      throw new Error(`${label}: ${(error as Error).message}\nruns: ${JSON.stringify(runs)}\nworker: ${worker?.logs().slice(-3000)}`, {
        cause: error,
      });
    }
  }

  it('should take the request submitted in the browser through approval to an active VM with its address, live', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.newRequest'] }).click();
    const form = page.getByRole('form', { name: T['requests.formTitle'] });
    await form.getByLabel(T['requests.application']!).selectOption({ label: 'SIPD Biro Adpim' });
    await form.getByLabel(T['requests.hostname']!).fill(HOSTNAME);
    await form.getByLabel('Sedang').check();
    await form.getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 1 }), exact: true }).fill(testSshKey('budi@laptop'));
    await form.getByLabel(T['requests.purpose']!).fill('Server web aplikasi SIPD Biro Adpim');
    await form.getByLabel(T['requests.ports']!).fill('80, 443');
    await form.getByRole('button', { name: T['requests.submit'] }).click();
    await page.getByRole('heading', { level: 1, name: fill(T['requests.detailTitleHost']!, { hostname: HOSTNAME }) }).waitFor();
    await page.getByText(T['requests.streamLive']!).waitFor();
    const requestId = page.url().split('/').pop() ?? '';

    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    expect((await operator.post(`/vps-requests/${requestId}/approve`, { comment: 'Disetujui' })).status).toBe(200);
    await operator.close();

    // the page is never reloaded: everything below arrives over the event stream
    const connect = page.getByTestId('connect');
    await waitOnPage(() => connect.waitFor({ timeout: 180_000 }), 'VM active with its address');
    const allocation = await stack.db
      .selectFrom('ipAllocations')
      .select((eb) => eb.fn<string>('host', ['address']).as('address'))
      .where('requestId', '=', requestId)
      .where('releasedAt', 'is', null)
      .executeTakeFirstOrThrow();
    const adminUser = world.institutionCode.toLowerCase();
    await connect.getByText(`ssh ${adminUser}@${allocation.address}`, { exact: true }).waitFor();
    await page.locator('.status').getByText(T['requests.status.active']!, { exact: true }).first().waitFor();
    const run = page.getByTestId('run').filter({ hasText: T['requests.run.provision'] });
    // The request turns active inside the hand-over step; the run's own 100 % follows in the next commit.
    await run.locator('[role="progressbar"][aria-valuenow="100"]').waitFor({ timeout: 30_000 });
    expect(await run.getByText(T['requests.stepStatus.failed']!, { exact: true }).count()).toBe(0);
    await run.getByText(T['requests.step.configure-guest']!).waitFor();
    await page.getByRole('list', { name: T['requests.clockTitle'] }).getByText(T['requests.clockProvisioning']!).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('should reboot the VM from the VM list and show the action finishing on the request timeline', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    const card = page.getByRole('region', { name: HOSTNAME });
    await card.getByText(T['vms.state.running']!, { exact: true }).waitFor();
    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.action.reboot']!, name: HOSTNAME }) }).click();
    await card
      .getByRole('group', { name: fill(T['vms.confirm.reboot']!, { name: HOSTNAME }) })
      .getByRole('button', { name: T['vms.action.reboot'] })
      .click();
    await card.getByRole('link', { name: T['vms.followProgress'] }).click();
    await page.getByRole('heading', { level: 1, name: fill(T['requests.detailTitleHost']!, { hostname: HOSTNAME }) }).waitFor();
    const action = page.getByTestId('run').last();
    await waitOnPage(
      () => action.getByText(T['requests.runStatus.succeeded']!, { exact: true }).first().waitFor({ timeout: 90_000 }),
      'reboot finished',
    );
  });

  it('should show the VM stopped and started again on its card without a reload, and the whole history on the request', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    await page.getByText(T['vmLive.streamLive']!).waitFor();
    const card = page.getByRole('region', { name: HOSTNAME });
    await card.getByText(T['vms.state.running']!, { exact: true }).waitFor();
    const power = async (action: 'stop' | 'start') => {
      const label = T[`vms.action.${action}`]!;
      await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: label, name: HOSTNAME }) }).click();
      await card
        .getByRole('group', { name: fill(T[`vms.confirm.${action}`]!, { name: HOSTNAME }) })
        .getByRole('button', { name: label })
        .click();
    };
    // Nothing below reloads the page (the marker would be gone): the card follows GET /vms/events.
    await page.evaluate('window.betangNoReload = true');
    const notReloaded = () => page.evaluate<boolean>('window.betangNoReload === true');
    await power('stop');
    await waitOnPage(() => card.getByText(T['vms.state.stopped']!, { exact: true }).waitFor({ timeout: 60_000 }), 'card shows stopped');

    // While stopped, the request page still shows how to connect, with the host key's fingerprint.
    await card.getByRole('link', { name: T['vms.requestLink'] }).click();
    await page.getByTestId('connect-stopped').waitFor();
    const fingerprint = page.getByTestId('host-key-fingerprint');
    await fingerprint.getByText(/^SHA256:[A-Za-z0-9+/]{43}$/).waitFor();
    await page.getByRole('button', { name: T['vmLive.copyAddress'] }).waitFor();
    await page.getByRole('button', { name: T['vmLive.copyCommand'] }).waitFor();
    await page.getByRole('button', { name: T['vmLive.copyFingerprint'] }).waitFor();

    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    await card.getByText(T['vms.state.stopped']!, { exact: true }).waitFor();
    await power('start');
    await waitOnPage(() => card.getByText(T['vms.state.running']!, { exact: true }).waitFor({ timeout: 60_000 }), 'card shows running');
    expect(await notReloaded()).toBe(true);

    // The request keeps its story: provisioning, the reboot, the stop and the start.
    await card.getByRole('link', { name: T['vms.requestLink'] }).click();
    await page.getByRole('heading', { level: 1, name: fill(T['requests.detailTitleHost']!, { hostname: HOSTNAME }) }).waitFor();
    const runs = page.getByTestId('run');
    await runs.last().locator('> .status', { hasText: T['requests.runStatus.succeeded'] }).waitFor();
    const kinds = await runs.locator('> strong').allInnerTexts();
    expect(kinds).toEqual([T['requests.run.provision'], T['requests.run.reboot'], T['requests.run.stop'], T['requests.run.start']]);
    expect(await notReloaded()).toBe(true);
    const vm = await stack.db.selectFrom('vms').select('hostKey').where('name', '=', HOSTNAME).executeTakeFirstOrThrow();
    expect(await page.getByTestId('host-key-fingerprint').locator('code').innerText()).toBe(sshKeygenFingerprint(vm.hostKey ?? ''));
  });

  it("should replace the admin user's lost SSH key from the VM card with the password asked again, refusing a key with options", async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    const card = page.getByRole('region', { name: HOSTNAME });
    await card.getByText(T['vms.state.running']!, { exact: true }).waitFor();
    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vmKeys.open']!, name: HOSTNAME }) }).click();
    const form = card.getByRole('form', { name: fill(T['vmKeys.title']!, { name: HOSTNAME }) });
    const keyField = form.getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 1 }), exact: true });
    const password = form.getByLabel(T['vmKeys.password']!, { exact: true });
    const newKey = testSshKey('budi@laptop-baru');
    // A key with options is refused in the form, before anything is sent.
    await keyField.fill(`command="/bin/sh" ${newKey}`);
    await password.fill(TEST_PASSWORD);
    await form.getByRole('button', { name: T['vmKeys.submit'] }).click();
    await form.locator('.field-error').first().waitFor();
    // A wrong password is refused by the API and queues nothing.
    await keyField.fill(newKey);
    await password.fill('bukan-kata-sandinya');
    await form.getByRole('button', { name: T['vmKeys.submit'] }).click();
    await form.getByText(T['vmKeys.wrongPassword']!).waitFor();
    await password.fill(TEST_PASSWORD);
    await form.getByRole('button', { name: T['vmKeys.submit'] }).click();
    await card.getByText(fill(T['vmKeys.queued']!, { name: HOSTNAME })).waitFor();
    await card.getByRole('link', { name: T['vms.followProgress'] }).click();
    const run = page.getByTestId('run').last();
    await run.locator('> strong', { hasText: T['requests.run.ssh_keys'] }).waitFor();
    await waitOnPage(
      () => run.locator('> .status', { hasText: T['requests.runStatus.succeeded'] }).waitFor({ timeout: 60_000 }),
      'keys replaced',
    );
    await run.getByText(T['requests.step.write-keys']!).waitFor();
    const request = await stack.db
      .selectFrom('vpsRequests')
      .select('sshPublicKeys')
      .where('hostname', '=', HOSTNAME)
      .executeTakeFirstOrThrow();
    expect(request.sshPublicKeys).toEqual([newKey]);
    const audit = await stack.db.selectFrom('auditLog').select('action').where('action', 'like', 'vm.ssh_keys%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['vm.ssh_keys_failed', 'vm.ssh_keys_replaced', 'vm.ssh_keys_requested']);
  });

  it('should take a change asked on the VM card through the operator queue to the applied disk and ports', async () => {
    const vm = await stack.db
      .selectFrom('vms')
      .select(['id', 'cores', 'memoryMiB', 'diskGiB'])
      .where('name', '=', HOSTNAME)
      .executeTakeFirstOrThrow();
    const disk = vm.diskGiB + 10;
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    const card = page.getByRole('region', { name: HOSTNAME });
    await card.getByText(fill(T['vms.portsValue']!, { ports: '22, 80, 443' })).waitFor();
    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.change.open']!, name: HOSTNAME }) }).click();
    const form = card.getByRole('form', { name: fill(T['vms.change.title']!, { name: HOSTNAME }) });
    // a shrink and a deny-listed port are named on their fields before anything is sent
    await form.getByLabel(T['vms.change.disk']!).fill(String(vm.diskGiB - 5));
    await form.getByLabel(T['vms.change.ports']!).fill('80, 443, 445');
    await form.getByRole('button', { name: T['vms.change.submit'] }).click();
    await form
      .getByText(/Port 445 .* tidak boleh dibuka/)
      .first()
      .waitFor();
    await form.getByLabel(T['vms.change.ports']!).fill('80, 443, 8443');
    await form.getByRole('button', { name: T['vms.change.submit'] }).click();
    await form
      .getByText(/tidak dapat diperkecil/)
      .first()
      .waitFor();
    expect(await stack.db.selectFrom('provisioningRuns').select('id').where('kind', '=', 'resize').execute()).toEqual([]);
    await form.getByLabel(T['vms.change.disk']!).fill(String(disk));
    await form.getByRole('button', { name: T['vms.change.submit'] }).click();
    await card
      .getByRole('status')
      .filter({ hasText: fill(T['vms.change.awaiting']!, { name: HOSTNAME }) })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await closeCheckedPage(page, problems);

    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, world.operatorEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['opNav.queue'] }).click();
    await page.getByRole('heading', { level: 1, name: T['opQueue.title'] }).waitFor();
    const size = (d: number) => fill(T['opCommon.sizeShort']!, { cores: vm.cores, memory: vm.memoryMiB / 1024, disk: d });
    await page
      .getByText(fill(T['opQueue.changeBeforeAfter']!, { before: size(vm.diskGiB), after: size(disk) }))
      .first()
      .waitFor();
    await page
      .getByText(fill(T['opQueue.changePorts']!, { before: '22, 80, 443', after: '22, 80, 443, 8443' }))
      .first()
      .waitFor();
    await page.getByRole('button', { name: fill(T['opQueue.review']!, { hostname: HOSTNAME }) }).click();
    const drawer = page.getByRole('complementary', { name: fill(T['opQueue.reviewTitle']!, { hostname: HOSTNAME }) });
    await drawer.getByRole('form', { name: T['opQueue.approveTitle'] }).getByRole('button', { name: T['opQueue.approve'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['opQueue.approved']!, { hostname: HOSTNAME }) })
      .waitFor();

    // the worker grows the disk and its filesystem, opens 8443, and records the change
    const until = Date.now() + 120_000;
    for (;;) {
      const run = await stack.db
        .selectFrom('provisioningRuns')
        .select(['status', 'errorMessage'])
        .where('kind', '=', 'resize')
        .executeTakeFirst();
      if (run?.status === 'succeeded') break;
      if (run?.status === 'failed' || Date.now() > until)
        throw new Error(`change run: ${JSON.stringify(run)}\nworker: ${worker?.logs().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const applied = await stack.db
      .selectFrom('vms')
      .innerJoin('vpsRequests as r', 'r.id', 'vms.requestId')
      .select(['vms.diskGiB', 'r.ports'])
      .where('vms.id', '=', vm.id)
      .executeTakeFirstOrThrow();
    expect(applied).toEqual({ diskGiB: disk, ports: [80, 443, 8443] });
    await closeCheckedPage(page, problems);

    ({ page, problems } = await openCleanPage(browser));
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    const after = page.getByRole('region', { name: HOSTNAME });
    await after.getByText(fill(T['vms.portsValue']!, { ports: '22, 80, 443, 8443' })).waitFor();
    await after.getByText(new RegExp(`${disk} GiB disk`)).waitFor();
  });

  it('should destroy a decommissioned VM once its grace period has passed, release its address and vmid, and show it destroyed', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    const card = page.getByRole('region', { name: HOSTNAME });
    await card.getByText(T['vms.state.running']!, { exact: true }).waitFor();
    await card.getByRole('button', { name: fill(T['vms.actionLabel']!, { action: T['vms.decommission']!, name: HOSTNAME }) }).click();
    const confirm = card.getByRole('group', { name: fill(T['vms.decommissionTitle']!, { name: HOSTNAME }) });
    await confirm.getByLabel(T['vms.reason']!).fill('Aplikasi dipindah ke PDN');
    await confirm.getByLabel(fill(T['vms.confirmHostname']!, { name: HOSTNAME })).fill(HOSTNAME);
    await confirm.getByRole('button', { name: T['vms.decommissionConfirm'] }).click();
    await card.getByText(T['vms.state.retained']!, { exact: true }).waitFor();
    const vm = await stack.db.selectFrom('vms').select(['id', 'vmid', 'requestId']).where('name', '=', HOSTNAME).executeTakeFirstOrThrow();
    // The worker stops it for the grace period first.
    await waitOnPage(async () => {
      for (let i = 0; i < 240; i++) {
        const stop = await stack.db
          .selectFrom('provisioningRuns')
          .select('status')
          .where('requestId', '=', vm.requestId)
          .where('kind', '=', 'stop')
          .orderBy('createdAt', 'desc')
          .executeTakeFirst();
        if (stop?.status === 'succeeded') return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('the retaining stop did not finish');
    }, 'VM stopped for the grace period');

    // The grace period ends (as if 7 days had passed), and the sweep the worker schedules runs now.
    await stack.db
      .updateTable('vms')
      .set({ retainedUntil: new Date(Date.now() - 60_000) })
      .where('id', '=', vm.id)
      .execute();
    await enqueueJob(stack.db, 'decommission.sweep', {}, { dedupKey: `test-sweep:${vm.id}` });
    // The card leaves the list without a reload: destroyed VMs are not listed.
    await waitOnPage(() => card.waitFor({ state: 'detached', timeout: 90_000 }), 'destroyed VM leaves the list');

    const row = await stack.db.selectFrom('vms').select(['state', 'vmid']).where('id', '=', vm.id).executeTakeFirstOrThrow();
    expect(row.state).toBe('decommissioned');
    const held = await stack.db
      .selectFrom('ipAllocations')
      .select('id')
      .where('requestId', '=', vm.requestId)
      .where('releasedAt', 'is', null)
      .execute();
    expect(held).toEqual([]);
    // The vmid is free again: no live VM row holds it, and the destroy step removed the VM from Proxmox.
    const holders = await stack.db
      .selectFrom('vms')
      .select('id')
      .where('vmid', '=', vm.vmid)
      .where('state', '<>', 'decommissioned')
      .execute();
    expect(holders).toEqual([]);
    const destroy = await stack.db
      .selectFrom('provisioningRuns as pr')
      .innerJoin('runSteps as s', 's.runId', 'pr.id')
      .select(['pr.status', 's.status as destroyStatus'])
      .where('pr.requestId', '=', vm.requestId)
      .where('pr.kind', '=', 'decommission')
      .where('s.key', '=', 'destroy')
      .executeTakeFirstOrThrow();
    expect(destroy).toEqual({ status: 'succeeded', destroyStatus: 'done' });

    // The request shows it destroyed, with the whole story ending in the decommission run.
    await page.goto(`${stack.baseUrl}/vps-requests/${vm.requestId}`);
    await page.locator('.status').getByText(T['requests.status.decommissioned']!, { exact: true }).first().waitFor();
    const last = page.getByTestId('run').last();
    await last.locator('> strong', { hasText: T['requests.run.decommission'] }).waitFor();
    await last.locator('> .status', { hasText: T['requests.runStatus.succeeded'] }).waitFor();
    expect(await page.getByTestId('connect').count()).toBe(0);
  });
});

/** The fingerprint `ssh-keygen -lf` prints for a public key line (the reference the page must match). */
function sshKeygenFingerprint(line: string): string {
  return execFileSync('ssh-keygen', ['-lf', '-'], { input: `${line}\n`, encoding: 'utf8' }).split(' ')[1] ?? '';
}
