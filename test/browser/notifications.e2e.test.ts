import { insertRun } from '@betang/db';
import { Role } from '@betang/core';
import { makeUser, testSshKey, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { noticeRunFailed } from '../../apps/worker/src/harness/failure-notice';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, launchBrowser, openCleanPage, signIn, TEXT, type Browser } from './support/browser';
import { apiSession, fill, generateAgreement, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;
const HUMANE = 'Penyiapan gagal; operator sudah diberi tahu dan akan menghubungi Anda.';

describe('notification centre in the browser (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let agreement: { id: string };

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db, 'Dinas Komunikasi Uji Notifikasi');
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    agreement = await generateAgreement(operator, world);
    await operator.close();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  const bell = (count: number) => page.getByRole('link', { name: fill(T['notifications.bellLabel']!, { count }) });

  it('should show the institution head the agreement to sign in the bell and centre, and open it from there', async () => {
    await signIn(page, stack.baseUrl, world.headEmail, TEST_PASSWORD);
    await bell(1).click();
    await page.getByRole('heading', { level: 1, name: T['notifications.title'] }).waitFor();
    const item = page.getByTestId('notification').filter({ hasText: 'menunggu tanda tangan Anda' });
    await item.waitFor();
    expect(await item.textContent()).toContain('kepala perangkat daerah');
    expect(await seriousViolations(page)).toEqual([]);
    await item.getByRole('button', { name: T['notifications.open'] }).click();
    await page.waitForURL(`**/agreements/${agreement.id}`);
    await page.getByRole('heading', { level: 1, name: T['agreements.detailTitle'] }).waitFor();
    await page.getByRole('form', { name: T['agreements.signTitle'] }).waitFor();
    // opened = read: the bell has nothing left to count
    await bell(0).waitFor();
  });

  it('should update the bell live and show the requester only the humane message when provisioning failed', async () => {
    const staff = await stack.db.selectFrom('users').select(['id']).where('email', '=', world.staffEmail).executeTakeFirstOrThrow();
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await bell(0).waitFor();

    const request = await stack.db
      .insertInto('vpsRequests')
      .values({
        institutionId: world.institutionId,
        applicationId: world.applicationId,
        requestedBy: staff.id,
        hostname: 'sipd-gagal-01',
        templateId: 'debian-12',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        sshPublicKeys: [testSshKey()],
        purpose: 'Uji pemberitahuan gagal',
        publicAccess: false,
        ports: [],
        contact: JSON.stringify({ name: 'Budi Staf', nip: '198703152010011002', phone: '0812', email: world.staffEmail }),
        status: 'failed',
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    // What the worker's harness does when a provisioning run fails for good.
    await stack.db.transaction().execute(async (tx) => {
      const run = await insertRun(tx, { requestId: request.id, kind: 'provision', requestedBy: staff.id });
      await noticeRunFailed(tx, { ...run, attempt: 3 }, 'sipd-gagal-01', {
        code: 'STORAGE_FULL',
        step: 'place',
        retryable: false,
        text: {
          id: 'Penyimpanan ceph penuh. Tindakan: kosongkan ruang lalu ulangi run ini. Panduan: docs/runbook.md#storage_full',
          en: 'Storage ceph is full. What to do: free space, then retry this run. Guide: docs/runbook.md#storage_full',
        },
      });
    });

    // the open page hears of it over the event stream, without a reload
    await bell(1).click();
    const item = page.getByTestId('notification').filter({ hasText: 'sipd-gagal-01' });
    await item.waitFor();
    const shown = (await item.textContent()) ?? '';
    expect(shown).toContain(HUMANE);
    expect(shown).not.toMatch(/STORAGE_FULL|runbook|Run:|Kode/);
    expect(await page.locator('main').textContent()).not.toMatch(/STORAGE_FULL|docs\/runbook/);
    await item.getByRole('button', { name: T['notifications.markRead'] }).click();
    await bell(0).waitFor();
  });
  it('should let an admin add a webhook, see its secret once, and open its empty delivery log', async () => {
    const admin = await makeUser(stack.db, { roles: [Role.Admin], name: 'Admin Uji Webhook' });
    await signIn(page, stack.baseUrl, admin.email, TEST_PASSWORD);
    await page.getByRole('link', { name: T['notifications.webhooks.nav'], exact: true }).click();
    await page.getByRole('heading', { level: 1, name: T['notifications.webhooks.title'] }).waitFor();
    await page.getByLabel(T['notifications.webhooks.name']!, { exact: true }).fill('Gerbang Telegram Diskominfo');
    await page.getByLabel(T['notifications.webhooks.url']!, { exact: true }).fill('https://gerbang.kalteng.go.id/telegram');
    await page.getByRole('button', { name: T['notifications.webhooks.create'], exact: true }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_[\w-]{43}$/);
    await page.getByRole('button', { name: T['notifications.webhooks.secretDone'] }).click();
    const card = page.locator('.webhook-list li').filter({ hasText: 'Gerbang Telegram Diskominfo' });
    await card.waitFor();
    expect(await page.locator('main').textContent()).not.toContain(secret);
    await card.getByRole('button', { name: T['notifications.webhooks.log'] }).click();
    await card.getByText(T['notifications.webhooks.noDeliveries']!).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
