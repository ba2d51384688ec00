import { Role } from '@betang/core';
import { makeInstitution, makeQuota, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { launchBrowser, PHONE, DESKTOP, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

/** Pages to check per account: path and the h1 that shows the page has rendered. */
const HEAD_PAGES: [string, string][] = [
  ['/', T['dashboard.portalTitle']!],
  ['/users', T['users.title']!],
  ['/account/tokens', T['tokens.title']!],
  ['/account/security', T['security.title']!],
  ['/audit', T['audit.title']!],
  ['/no-such-page', T['notFound.title']!],
];

describe('web accessibility: axe-core finds no serious or critical violations (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let headEmail: string;
  let adminEmail: string;
  let institutionId: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const admin = await makeUser(stack.db, { roles: [Role.Admin], name: 'Admin Betang' });
    adminEmail = admin.email;
    const institution = await makeInstitution(stack.db, { name: 'Biro Administrasi Pimpinan' });
    institutionId = institution.id;
    await makeQuota(stack.db, institution.id, admin.id);
    headEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Biro' })).email;
    await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: institution.id, name: 'Budi Staf' });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

  async function check(path: string, heading: string): Promise<{ path: string; violations: unknown[] }> {
    await page.goto(`${stack.baseUrl}${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
    return { path, violations: await seriousViolations(page) };
  }

  it('should pass on the sign-in page, also with an announced error, on desktop and phone', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      expect(await check('/login', T['signIn.title']!)).toEqual({ path: '/login', violations: [] });
      await page.getByRole('button', { name: T['signIn.submit']!, exact: true }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: T['form.checkFields']!.replace('{count}', '2') })
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
  });

  it("should pass on an institution head's pages, on desktop and phone", async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      for (const [path, heading] of HEAD_PAGES) expect(await check(path, heading)).toEqual({ path, violations: [] });
    }
    await page.goto(`${stack.baseUrl}/account/security`);
    await page.getByRole('button', { name: T['security.start'] }).click();
    await page.getByTestId('totp-secret').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("should pass on the token page with field errors announced, with a new token's secret shown, and with a revoke to confirm, on desktop and phone", async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    for (const [index, viewport] of [DESKTOP, PHONE].entries()) {
      await page.setViewportSize(viewport);
      expect(await check('/account/tokens', T['tokens.title']!)).toEqual({ path: '/account/tokens', violations: [] });
      const createForm = page.getByRole('form', { name: T['tokens.createTitle'] });
      await createForm.getByRole('button', { name: T['tokens.create'], exact: true }).click();
      await createForm
        .getByRole('alert')
        .filter({ hasText: T['form.checkFields']!.replace('{count}', '1') })
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      const name = `Skrip laporan ${index + 1}`;
      await createForm.getByLabel(T['tokens.name']!, { exact: true }).fill(name);
      await createForm.getByRole('button', { name: T['tokens.create'], exact: true }).click();
      await page.getByTestId('token-secret').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: T['tokens.revokeLabel']!.replace('{name}', name) }).click();
      await page.getByRole('button', { name: T['tokens.confirmRevoke'], exact: true }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
  });

  it("should pass on an admin's console pages", async () => {
    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    expect(await check('/', T['dashboard.consoleTitle']!)).toEqual({ path: '/', violations: [] });
    expect(await check(`/institutions/${institutionId}`, 'Biro Administrasi Pimpinan')).toEqual({
      path: `/institutions/${institutionId}`,
      violations: [],
    });
    expect(await check('/staff', T['users.staffTitle']!)).toEqual({ path: '/staff', violations: [] });
    expect(await check('/audit', T['audit.title']!)).toEqual({ path: '/audit', violations: [] });
  });

  it('should be usable with the keyboard alone: sign-in fields in reading order, Enter submits, focus lands on the new page', async () => {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('heading', { name: T['signIn.title'] }).waitFor();
    const focused = async (): Promise<string> =>
      page.evaluate<string>("document.activeElement?.getAttribute('autocomplete') ?? document.activeElement?.tagName ?? ''");
    const order: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    expect(order).toEqual(['SELECT', 'username', 'current-password', 'one-time-code', 'BUTTON']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(headEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: T['dashboard.portalTitle'] }).waitFor();
    // the new page's heading takes focus, so screen readers start reading there
    expect(await page.evaluate('document.activeElement?.id')).toBe('page-title');
    const skip = page.getByRole('link', { name: T['shell.skipToContent'] });
    await skip.focus();
    expect(await skip.isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement?.id')).toBe('main');
  });
});

describe('web accessibility of the TOTP enrolment gate (TOTP_REQUIRED_ROLES on, real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stack = await startWebStack({ TOTP_REQUIRED_ROLES: 'admin,operator,dc_head,institution_head' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

  it('should pass on the gate of an institution head without TOTP, with the QR code and with a refused code announced, on desktop and phone', async () => {
    const institution = await makeInstitution(stack.db, { name: 'Dinas Komunikasi dan Informatika' });
    const head = await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Dinas' });
    await signIn(page, stack.baseUrl, head.email, TEST_PASSWORD);
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/account/security`);
      await page.getByRole('heading', { level: 1, name: T['totpGate.title'] }).waitFor();
      await page.getByRole('img', { name: T['security.qrAlt'] }).waitFor();
      await page.getByTestId('totp-secret').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await seriousViolations(page)).toEqual([]);
      // a wrong code: the refusal is announced and the fields marked
      await page.getByLabel(T['security.password']!, { exact: true }).fill(TEST_PASSWORD);
      await page.getByLabel(T['security.code']!, { exact: true }).fill('000000');
      await page.getByRole('button', { name: T['security.confirm'] }).click();
      await page.locator('[role="alert"].alert-error').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
  });
});
