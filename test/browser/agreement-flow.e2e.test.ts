import { TEST_PASSWORD } from '@betang/testkit';
import { readFileSync } from 'node:fs';
import { request, type Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { launchBrowser, PHONE, DESKTOP, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { apiSession, fill, generateAgreement, makePortalWorld, pdfsigValidations, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

describe('agreement signed by both heads in the browser (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let agreement: { id: string; verificationCode: string };

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    // CI shares two cores with the API, PostgreSQL and (here) more: allow slow moments
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db);
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

  async function openFromDashboard(): Promise<void> {
    await page.getByRole('link', { name: T['portal.agreementSign'] }).click();
    await page.getByRole('heading', { level: 1, name: T['agreements.detailTitle'] }).waitFor();
  }

  async function sign(password: string): Promise<void> {
    const form = page.getByRole('form', { name: T['agreements.signTitle'] });
    await form.getByLabel(T['agreements.password']!).fill(password);
    await form.getByRole('checkbox').check();
    await form.getByRole('button', { name: T['agreements.signSubmit'] }).click();
  }

  it('should refuse the data-center head before the institution head has signed', async () => {
    await signIn(page, stack.baseUrl, world.dcHeadEmail, TEST_PASSWORD);
    // the dashboard lists nothing to sign yet, and the agreement page offers no signing form
    await page.getByText(T['portal.agreementNoneToSign']!).waitFor();
    await page.goto(`${stack.baseUrl}/agreements/${agreement.id}`);
    await page.getByText(fill(T['agreements.waitingFor']!, { role: T['agreements.signer.institution_head']! })).waitFor();
    expect(await page.getByRole('form', { name: T['agreements.signTitle'] }).count()).toBe(0);
  });

  it('should let the institution head read the PDF, fail with a wrong password, then sign with the shown hash', async () => {
    await signIn(page, stack.baseUrl, world.headEmail, TEST_PASSWORD);
    await openFromDashboard();
    // the PDF is drawn in the page (pdf.js), its text readable too
    await page.getByTestId('pdf-pages').locator('canvas').first().waitFor();
    await page.getByText(/Teks dokumen/).click();
    expect(await page.getByTestId('pdf-text').textContent()).toMatch(/PERJANJIAN/i);
    const shown = (await page.getByTestId('sign-sha256').textContent())?.trim();
    expect(shown).toMatch(/^[0-9a-f]{64}$/);
    const consent = await page
      .getByRole('form', { name: T['agreements.signTitle'] })
      .getByRole('checkbox')
      .evaluate((el) => (el as unknown as { parentElement: { textContent: string | null } | null }).parentElement?.textContent ?? ''); // runs in the page (no DOM lib in Node's tsconfig)
    expect(consent).toContain(shown);
    expect(await seriousViolations(page)).toEqual([]);

    await sign('kata-sandi-yang-salah');
    await page.getByText(T['agreements.signWrongPassword']!).waitFor();
    await sign(TEST_PASSWORD);
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['agreements.signed']!, { status: T['agreements.status.awaiting_dc_head']! }) })
      .waitFor();
    await page.locator('ol.timeline').getByText('Dra. Siti Kepala Biro', { exact: true }).waitFor();
  });

  it('should let the data-center head countersign; the downloaded PDF passes pdfsig and /verify', async () => {
    await signIn(page, stack.baseUrl, world.dcHeadEmail, TEST_PASSWORD);
    await openFromDashboard();
    await sign(TEST_PASSWORD);
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['agreements.signed']!, { status: T['agreements.status.in_force']! }) })
      .waitFor();
    await page.locator('ol.timeline').getByText('Ir. Agus Kepala Dinas', { exact: true }).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: T['agreements.download'] }).click(),
    ]);
    const file = await download.path();
    const pdf = readFileSync(file);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfsigValidations(pdf)).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    // as anyone would: no session, so no CSRF token either
    const anonymous = await request.newContext();
    const verdict = await anonymous.post(`${stack.baseUrl}/api/v1/verify`, { data: pdf, headers: { 'Content-Type': 'application/pdf' } });
    const body: unknown = await verdict.json();
    await anonymous.dispose();
    expect(body).toMatchObject({ genuine: true, valid: true, fullySigned: true });
  });

  it('should show the institution head the agreement in force on the dashboard and list, on a phone too', async () => {
    await signIn(page, stack.baseUrl, world.headEmail, TEST_PASSWORD);
    await page.getByRole('region', { name: T['portal.agreementTitle'] }).getByText(T['agreements.status.in_force']!).waitFor();
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/agreements`);
      await page.getByRole('heading', { level: 1, name: T['agreements.title'] }).waitFor();
      await page.locator('tbody tr .status').getByText(T['agreements.status.in_force']!, { exact: true }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
  });
});
