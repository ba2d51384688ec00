import { restorePeriodOf, Role } from '@betang/core';
import { makeUser, testSshKey, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { fill, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

/**
 * Test restores in the web app: the owner sees the VM's latest test on its backup panel; the
 * data-center head reads the month's report and what failed, on desktop and phone.
 */
describe('test restores in the web app (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let headEmail: string;
  const period = restorePeriodOf(new Date());

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db);
    headEmail = (await makeUser(stack.db, { roles: [Role.DcHead] })).email;
    const { db } = stack;
    const staff = await db.selectFrom('users').select('id').where('email', '=', world.staffEmail).executeTakeFirstOrThrow();
    const vmOf = async (hostname: string, vmid: number) => {
      const request = await db
        .insertInto('vpsRequests')
        .values({
          institutionId: world.institutionId,
          applicationId: world.applicationId,
          requestedBy: staff.id,
          hostname,
          templateId: 'debian-12',
          cores: 1,
          memoryMiB: 2048,
          diskGiB: 20,
          sshPublicKeys: [testSshKey()],
          purpose: 'Layanan SIPD',
          contact: JSON.stringify({ name: 'Budi', nip: '198501012010011001', phone: '0812555501', email: 'pic@kalteng.go.id' }),
          status: 'active',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const vm = await db
        .insertInto('vms')
        .values({
          requestId: request.id,
          institutionId: world.institutionId,
          vmid,
          node: 'pve1',
          name: hostname,
          cores: 1,
          memoryMiB: 2048,
          diskGiB: 20,
          state: 'running',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const backup = await db
        .insertInto('vmBackups')
        .values({
          vmId: vm.id,
          node: 'pve1',
          vmid,
          storage: 'pbs',
          backupDate: `${period}-02`,
          startedAt: new Date(`${period}-01T18:20:00Z`),
          finishedAt: new Date(`${period}-01T18:24:10Z`),
          outcome: 'ok',
          volid: `pbs:backup/vm/${vmid}/${period}-01T18:20:00Z`,
          sizeBytes: 5 * 1024 ** 3,
          durationSeconds: 250,
        })
        .returning(['id', 'volid'])
        .executeTakeFirstOrThrow();
      return { vmId: vm.id, backup };
    };
    const good = await vmOf('sipd-web-01', 100_331);
    const bad = await vmOf('sipd-db-02', 100_332);
    const base = { period, node: 'pve1', stage: 'done', startedAt: new Date(`${period}-02T22:05:00Z`) };
    await db
      .insertInto('vmRestoreTests')
      .values([
        {
          ...base,
          vmId: good.vmId,
          backupId: good.backup.id,
          volid: good.backup.volid,
          testVmid: 990_001,
          outcome: 'ok',
          verdictAt: new Date(`${period}-02T22:07:30Z`),
          finishedAt: new Date(`${period}-02T22:08:00Z`),
          checks: JSON.stringify({
            agent: true,
            os: 'Debian GNU/Linux 12 (bookworm)',
            rootFilesystem: { type: 'ext4', usedBytes: 1.5 * 1024 ** 3, totalBytes: 19 * 1024 ** 3 },
          }),
        },
        {
          ...base,
          vmId: bad.vmId,
          backupId: bad.backup.id,
          volid: bad.backup.volid,
          testVmid: 990_002,
          outcome: 'failed',
          verdictAt: new Date(`${period}-02T22:20:00Z`),
          finishedAt: new Date(`${period}-02T22:21:00Z`),
          checks: JSON.stringify({ agent: false, os: null, rootFilesystem: null }),
          error: JSON.stringify({
            id: 'Agen tamu tidak menjawab dalam 10 menit setelah salinan dinyalakan (QEMU guest agent is not running).',
            en: 'The guest agent did not answer within 10 minutes of starting the copy (QEMU guest agent is not running).',
          }),
        },
      ])
      .execute();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  it('the owner sees the latest test restore of each VM on its backup panel, on desktop and phone, axe clean', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/vms`);
      await page.getByRole('heading', { level: 1, name: T['vms.title'] }).waitFor();
      const good = page.getByRole('region', { name: 'sipd-web-01' });
      await good.getByText(T['backups.panelTitle']!, { exact: true }).click();
      const line = good.locator('.restore-test-line');
      await line.waitFor();
      expect(await line.textContent()).toContain(`${T['testRestores.lastLabel']} ${T['testRestores.outcome.ok']}`);
      const bad = page.getByRole('region', { name: 'sipd-db-02' });
      await bad.getByText(T['backups.panelTitle']!, { exact: true }).click();
      await bad.locator('.restore-test-line').getByText(T['testRestores.outcome.failed']!, { exact: true }).waitFor();
      await bad.getByText(/Agen tamu tidak menjawab dalam 10 menit/).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
    await page.setViewportSize(DESKTOP);
  });

  it('the data-center head reads the month’s report — how many restored and booted, and what failed — and picks another month', async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/operator/restore-tests?period=${period}`);
      await page.getByRole('heading', { level: 1, name: T['testRestores.title'] }).waitFor();
      await page.getByText(fill(T['testRestores.summary']!, { ok: 1, vms: 2 })).waitFor();
      await page.getByText(fill(T['testRestores.counts']!, { failed: 1, running: 0, notTested: 0 })).waitFor();
      const table = page.getByRole('region', { name: fill(T['testRestores.summaryTitle']!, { period }) }).first();
      await table.getByText('Debian GNU/Linux 12 (bookworm) menyala; sistem berkas akar terisi 1,5 GiB').waitFor();
      await table.getByText(/Agen tamu tidak menjawab dalam 10 menit/).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
    await page.setViewportSize(DESKTOP);
    // another month: the VMs are listed as not tested, and the month stays in the address
    await page.getByLabel(T['testRestores.month']!, { exact: true }).fill('2020-01');
    await page.waitForURL(/period=2020-01/);
    await page.getByText(fill(T['testRestores.summary']!, { ok: 0, vms: 2 })).waitFor();
    await page.getByText(fill(T['testRestores.counts']!, { failed: 0, running: 0, notTested: 2 })).waitFor();
  });

  it('an institution’s staff cannot open the report', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    const answer = await page.request.get(`${stack.baseUrl}/api/v1/operator/restore-tests`);
    expect(answer.status()).toBe(403);
    await page.goto(`${stack.baseUrl}/operator/restore-tests`);
    expect(await page.getByRole('heading', { level: 1, name: T['testRestores.title'] }).count()).toBe(0);
  });
});
