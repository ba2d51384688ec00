import { testSshKey, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { apiSession, fill, generateAgreement, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;
const HEAD = 'Dra. Siti Kepala Biro';

/**
 * Guidance before effort and a request page that stays true while it is open: what blocks a
 * request is named before anything is typed, the queue position after submission, and the live
 * view following approval, retry and cancellation without a reload (the worker's writes are made
 * directly in the database here: the triggers turn them into the same events).
 */
describe('request guidance and the live request page (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let agreementId: string;
  let agreementNumber: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db);
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    agreementId = (await generateAgreement(operator, world)).id;
    await operator.close();
    agreementNumber = (await stack.db.selectFrom('agreements').select('number').where('id', '=', agreementId).executeTakeFirstOrThrow())
      .number;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(async () => {
    await page.setViewportSize(DESKTOP);
    await closeCheckedPage(page, problems);
  });

  const form = () => page.getByRole('form', { name: T['requests.formTitle'] });
  const submitButton = () => form().getByRole('button', { name: T['requests.submit'] });
  const guidance = () => page.getByTestId('guidance');

  async function openForm(): Promise<void> {
    await page.goto(`${stack.baseUrl}/vps-requests/new`);
    await page.getByRole('heading', { level: 1, name: T['requests.newTitle'] }).waitFor();
  }

  async function fillForm(hostname: string): Promise<void> {
    await form().getByLabel(T['requests.hostname']!).fill(hostname);
    await form()
      .getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 1 }), exact: true })
      .fill(testSshKey('budi@laptop'));
    await form().getByLabel(T['requests.purpose']!).fill('Server web aplikasi SIPD Biro Adpim');
    await form().getByLabel(T['requests.ports']!).fill('443');
  }

  it('should name the head who has not signed before anything is typed, keep submission off, and fit a phone', async () => {
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    // Even with no application to choose yet (so no form), the agreement's next step is said.
    await stack.db.updateTable('applications').set({ status: 'retired' }).where('id', '=', world.applicationId).execute();
    await openForm();
    await page.getByText(T['requests.noApplications']!).waitFor();
    await guidance()
      .getByText(new RegExp(`^${HEAD} belum menandatangani perjanjian`))
      .waitFor();
    await stack.db.updateTable('applications').set({ status: 'active' }).where('id', '=', world.applicationId).execute();
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await openForm();
      await guidance()
        .getByText(`${HEAD} belum menandatangani perjanjian ${agreementNumber} — minta beliau menandatanganinya di menu Perjanjian.`)
        .waitFor();
      await guidance().getByRole('link', { name: T['guidance.openAgreements'] }).waitFor();
      expect(await submitButton().isDisabled()).toBe(true);
      await page.getByTestId('submit-disabled').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }

    // On the phone: the menu is folded (the form starts on the first screen) and the key field is full width.
    const toggle = page.getByRole('button', { name: T['guidance.menuOpen'], exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('navigation').getByRole('link', { name: T['nav.newRequest'] }).isVisible()).toBe(false);
    // One row (the Menu button) between the header and the page, not three rows of links.
    const navHeight = (await page.getByRole('navigation').boundingBox())!.height;
    expect(navHeight).toBeLessThan(70);
    const keyField = form().getByRole('textbox', { name: fill(T['requests.sshKey']!, { n: 1 }), exact: true });
    const formBox = (await form().boundingBox())!;
    const keyBox = (await keyField.boundingBox())!;
    expect(keyBox.width).toBeGreaterThan(formBox.width * 0.8);
    await toggle.click();
    await page.getByRole('navigation').getByRole('link', { name: T['nav.vms'] }).click();
    await page.getByRole('heading', { level: 1, name: T['vms.title'] }).waitFor();
    // Moving on folds the menu again.
    expect(await page.getByRole('button', { name: T['guidance.menuOpen'], exact: true }).getAttribute('aria-expanded')).toBe('false');
  });

  it("should tell the head to sign, and draw the agreement's first page sharp at its displayed size", async () => {
    await signIn(page, stack.baseUrl, world.headEmail, TEST_PASSWORD);
    await openForm();
    await guidance()
      .getByText(new RegExp(`^Anda belum menandatangani perjanjian ${agreementNumber.replace(/[./]/g, '\\$&')}`))
      .waitFor();
    await guidance().getByRole('link', { name: T['guidance.openAgreements'] }).click();
    await page.getByRole('heading', { level: 1, name: T['agreements.title'] }).waitFor();
    await page.goto(`${stack.baseUrl}/agreements/${agreementId}`);
    const first = page.getByTestId('pdf-pages').locator('canvas').first();
    await first.waitFor();
    await page.getByTestId('pdf-text').waitFor({ state: 'attached' });
    // Runs in the page (no DOM lib in Node's tsconfig): the canvas's pixels against its displayed width × devicePixelRatio.
    const drawn = await first.evaluate((element) => {
      const canvas = element as unknown as { width: number; getBoundingClientRect(): { width: number } };
      const ratio = (globalThis as unknown as { devicePixelRatio: number }).devicePixelRatio;
      return { pixels: canvas.width, shown: canvas.getBoundingClientRect().width * ratio };
    });
    expect(Math.abs(drawn.pixels - drawn.shown)).toBeLessThanOrEqual(2);
    expect(drawn.shown).toBeGreaterThan(400);
  });

  it('should check the quota as people choose, submit once clear, and show the queue position against the standard', async () => {
    await stack.db.updateTable('agreements').set({ status: 'in_force' }).where('id', '=', agreementId).execute();
    await stack.db.updateTable('quotas').set({ cores: 1 }).where('institutionId', '=', world.institutionId).execute();
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await openForm();
    await form().getByLabel(T['requests.application']!).selectOption({ label: 'SIPD Biro Adpim' });
    await form().getByLabel('Sedang').check();
    await guidance()
      .getByText(/melebihi sisa kuota perangkat daerah untuk vCPU/)
      .waitFor();
    await guidance().getByRole('link', { name: T['guidance.openQuota'] }).waitFor();
    expect(await submitButton().isDisabled()).toBe(true);
    // Typed: a custom size is checked too, once all three numbers are there.
    await form().getByLabel(T['requests.sizeCustom']!).check();
    await form().getByLabel(T['requests.cores']!, { exact: true }).fill('2');
    await guidance()
      .getByText(/melebihi sisa kuota perangkat daerah untuk vCPU/)
      .waitFor();
    await form().getByLabel(T['requests.cores']!, { exact: true }).fill('1');
    await guidance().getByRole('heading', { name: T['guidance.clearTitle'] }).waitFor();
    await form().getByLabel('Kecil').check();
    await fillForm('guidance-01');
    expect(await submitButton().isEnabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await submitButton().click();
    await page.getByRole('heading', { level: 1, name: fill(T['requests.detailTitleHost']!, { hostname: 'guidance-01' }) }).waitFor();
    const queue = page.getByTestId('queue-position');
    await queue.getByText(fill(T['guidance.queuePosition']!, { position: 1, waiting: 1 })).waitFor();
    await queue.getByText(/Menurut standar layanan \(24 jam\), keputusan diharapkan paling lambat .* WIB/).waitFor();
    // What was asked, in the form's words.
    await page.getByTestId('fact-template').getByText('Debian 12', { exact: true }).waitFor();
    await page.getByTestId('fact-application').getByText('SIPD Biro Adpim', { exact: true }).waitFor();
    await page.getByTestId('fact-internet').getByText(T['guidance.internetNo']!).waitFor();
    await page
      .getByTestId('fact-contact')
      .getByText(/Budi Staf/)
      .waitFor();
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      expect(await seriousViolations(page)).toEqual([]);
    }
  });

  it('should drop the waiting level and stop the approval clock on approval, live', async () => {
    const request = await stack.db.selectFrom('vpsRequests').select('id').where('hostname', '=', 'guidance-01').executeTakeFirstOrThrow();
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vps-requests/${request.id}`);
    await page.getByText(T['requests.streamLive']!).waitFor();
    const waiting = page.getByText(/^Menunggu persetujuan tingkat 1/);
    await waiting.waitFor();
    const clock = page.getByRole('list', { name: T['requests.clockTitle'] });
    await clock.getByText(/berjalan/).waitFor();
    await page.evaluate('window.betangNoReload = true');

    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    expect((await operator.post(`/vps-requests/${request.id}/approve`, { comment: 'Disetujui' })).status).toBe(200);
    await operator.close();

    await page.getByText(fill(T['requests.approvedBy']!, { level: 1, name: 'Rina Operator' })).waitFor();
    await waiting.waitFor({ state: 'detached' });
    await clock.getByText(/selesai dalam/).waitFor();
    expect(await clock.getByText(/berjalan/).count()).toBe(0);
    await page.getByTestId('queue-position').waitFor({ state: 'detached' });
    expect(await page.evaluate('window.betangNoReload === true')).toBe(true);
  });

  it('should show a retried request active with the old failure marked as retried, live', async () => {
    const request = await stack.db.selectFrom('vpsRequests').select('id').where('hostname', '=', 'guidance-01').executeTakeFirstOrThrow();
    // The worker's first attempt fails for good.
    await stack.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('provisioningRuns')
        .set({ status: 'failed', errorCode: 'PVE_UNAVAILABLE', errorMessage: 'Proxmox tidak dapat dihubungi / unreachable' })
        .where('requestId', '=', request.id)
        .execute();
      await tx.updateTable('vpsRequests').set({ status: 'failed', statusReason: 'gagal' }).where('id', '=', request.id).execute();
    });
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vps-requests/${request.id}`);
    await page.getByText(T['requests.streamLive']!).waitFor();
    await page.locator('.status').getByText(T['requests.status.failed']!, { exact: true }).first().waitFor();
    await page.getByTestId('run').first().locator('.field-error').waitFor();
    await page.evaluate('window.betangNoReload = true');

    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    expect((await operator.post(`/vps-requests/${request.id}/retry`, {})).status).toBe(200);
    await operator.close();
    await page.getByTestId('run').nth(1).waitFor();
    // The second attempt succeeds: the run and the request, as the worker would write them.
    await stack.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('provisioningRuns')
        .set({ status: 'succeeded', progress: 100 })
        .where('requestId', '=', request.id)
        .where('status', '=', 'queued')
        .execute();
      await tx.updateTable('vpsRequests').set({ status: 'active', statusReason: null }).where('id', '=', request.id).execute();
    });
    await page.locator('.status').getByText(T['requests.status.active']!, { exact: true }).first().waitFor();
    await page.getByTestId('run').first().getByTestId('run-retried').waitFor();
    expect(await page.getByRole('list', { name: T['requests.timelineTitle'] }).locator('.field-error').count()).toBe(0);
    expect(await page.evaluate('window.betangNoReload === true')).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('should show the cancellation in the timeline, whether cancelled here or elsewhere', async () => {
    await stack.db.updateTable('quotas').set({ cores: 16 }).where('institutionId', '=', world.institutionId).execute();
    const staff = await apiSession(stack.baseUrl, world.staffEmail);
    const body = (hostname: string) => ({
      applicationId: world.applicationId,
      hostname,
      templateId: 'debian-12',
      presetId: 'small',
      sshPublicKeys: [testSshKey('budi@laptop')],
      purpose: 'Server web aplikasi SIPD Biro Adpim',
      network: { publicAccess: true, ports: [443] },
      contact: { name: 'Budi Staf', nip: '198703152010011002', phone: '0812-5000-1234', email: 'budi@biro.kalteng.go.id' },
    });
    const here = (await staff.post('/vps-requests', body('guidance-02'))).body as { id: string };
    const elsewhere = (await staff.post('/vps-requests', body('guidance-03'))).body as { id: string };

    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/vps-requests/${here.id}`);
    await page.getByText(T['requests.streamLive']!).waitFor();
    await page.getByTestId('fact-internet').getByText(T['guidance.internetYes']!).waitFor();
    await page.getByRole('button', { name: T['requests.cancel'] }).click();
    await page.getByRole('button', { name: T['requests.cancelConfirm'] }).click();
    await page.getByTestId('cancelled-event').getByText(T['requests.status.cancelled']!).waitFor();
    expect(await page.getByText(/^Menunggu persetujuan tingkat/).count()).toBe(0);

    await page.goto(`${stack.baseUrl}/vps-requests/${elsewhere.id}`);
    await page.getByText(T['requests.streamLive']!).waitFor();
    await page.getByText(/^Menunggu persetujuan tingkat 1/).waitFor();
    expect((await staff.post(`/vps-requests/${elsewhere.id}/cancel`, { reason: 'Tidak jadi dipakai' })).status).toBe(200);
    await staff.close();
    const event = page.getByTestId('cancelled-event');
    await event.getByText(fill(T['guidance.cancelReason']!, { reason: 'Tidak jadi dipakai' })).waitFor();
    await page.getByText(/^Menunggu persetujuan tingkat/).waitFor({ state: 'detached' });
    expect(await seriousViolations(page)).toEqual([]);
  });
});
