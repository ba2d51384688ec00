import { Role } from '@betang/core';
import { makeInstitution, makeQuota, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(120_000);

describe('web sign-in, dashboard and language (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let staffEmail: string;
  let institutionId: string;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const admin = await makeUser(stack.db, { roles: [Role.Admin] });
    const institution = await makeInstitution(stack.db, { name: 'Dinas Kesehatan Provinsi Kalimantan Tengah' });
    institutionId = institution.id;
    await makeQuota(stack.db, institution.id, admin.id, { cores: 12, memoryMiB: 24_576, diskGiB: 300, vmCount: 6 });
    staffEmail = (await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: institution.id, name: 'Sari Staf' })).email;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    await page.goto(stack.baseUrl);
    await page.evaluate('window.localStorage.clear()');
  });

  afterEach(() => closeCheckedPage(page, problems));

  it('should show the institution quota on the dashboard after a staff member signs in', async () => {
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: TEXT.id['dashboard.portalTitle'] }).waitFor();
    const quota = page.getByRole('region', { name: TEXT.id['quota.title'] });
    await quota.getByText('0 dari 12 vCPU (0%)').waitFor();
    await quota.getByText('0 dari 24 GiB (0%)').waitFor();
    await quota.getByText('0 dari 300 GiB (0%)').waitFor();
    await quota.getByText('0 dari 6 VM (0%)').waitFor();
    expect(await quota.textContent()).toMatch(/WIB/);
    expect(await page.getByText('Dinas Kesehatan Provinsi Kalimantan Tengah').first().isVisible()).toBe(true);
    // the operator console's entries are not offered to institution staff
    expect(await page.getByRole('link', { name: TEXT.id['nav.staff'] }).count()).toBe(0);
    expect(await page.getByRole('link', { name: TEXT.id['nav.users'] }).count()).toBe(0);
  });

  it('should tell how long to wait after repeated failures from this address, in the alert', async () => {
    const user = await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId, name: 'Akun Tertunda' });
    for (let i = 0; i < 5; i += 1) {
      const wrong = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: 'salah-sekali-123' }),
      });
      expect(wrong.status).toBe(401);
    }
    // From the same address even the right password waits: the delay is per e-mail + address, the account is not locked.
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByLabel(TEXT.id['signIn.email']!, { exact: true }).fill(user.email);
    await page.getByLabel(TEXT.id['signIn.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: TEXT.id['signIn.submit']!, exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Terlalu banyak percobaan masuk. Coba lagi dalam 1 menit.' });
    await alert.waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('should announce a wrong password in an alert and stay on the sign-in page', async () => {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByLabel(TEXT.id['signIn.email']!, { exact: true }).fill(staffEmail);
    await page.getByLabel(TEXT.id['signIn.password']!, { exact: true }).fill('salah-sekali-123');
    await page.getByRole('button', { name: TEXT.id['signIn.submit']!, exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'E-mail, kata sandi, atau kode TOTP salah.' });
    await alert.waitFor();
    expect(await alert.getAttribute('aria-live')).toBe('assertive');
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('should mark fields that fail the contract before sending anything', async () => {
    let loginCalls = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/auth/login')) loginCalls += 1;
    });
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByLabel(TEXT.id['signIn.email']!, { exact: true }).fill('bukan-email');
    await page.getByRole('button', { name: TEXT.id['signIn.submit']!, exact: true }).click();
    const email = page.getByLabel(TEXT.id['signIn.email']!, { exact: true });
    await page
      .getByRole('alert')
      .filter({ hasText: TEXT.id['form.checkFields']!.replace('{count}', '2') })
      .waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel(TEXT.id['signIn.password']!, { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(loginCalls).toBe(0);
  });

  it('should switch the texts and the API messages to English and keep the choice after a reload', async () => {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('heading', { name: TEXT.id['signIn.title'] }).waitFor();
    await page.getByLabel(TEXT.id['shell.language']!).selectOption('en');
    await page.getByRole('heading', { name: TEXT.en['signIn.title'] }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: TEXT.en['signIn.title'] }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');

    await page.getByLabel(TEXT.en['signIn.email']!, { exact: true }).fill(staffEmail);
    await page.getByLabel(TEXT.en['signIn.password']!, { exact: true }).fill('wrong-password-1');
    await page.getByRole('button', { name: TEXT.en['signIn.submit']!, exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail, password or TOTP code.' }).waitFor();

    await page.getByLabel(TEXT.en['signIn.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: TEXT.en['signIn.submit']!, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: TEXT.en['dashboard.portalTitle'] }).waitFor();
    await page.getByRole('navigation', { name: TEXT.en['shell.navigation'] }).getByRole('link', { name: TEXT.en['nav.tokens'] }).waitFor();

    await page.getByLabel(TEXT.en['shell.language']!).selectOption('id');
    await page.getByRole('heading', { level: 1, name: TEXT.id['dashboard.portalTitle'] }).waitFor();
  });

  it("should use the account's language until one is picked on this device", async () => {
    const english = await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId, name: 'Staf Berbahasa Inggris' });
    await stack.db.updateTable('users').set({ locale: 'en' }).where('id', '=', english.id).execute();
    await signIn(page, stack.baseUrl, english.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: TEXT.en['dashboard.portalTitle'] }).waitFor();
    expect(await page.evaluate("window.localStorage.getItem('betang.locale')")).toBeNull();
    await page.getByLabel(TEXT.en['shell.language']!).selectOption('id');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: TEXT.id['dashboard.portalTitle'] }).waitFor();
  });

  it('should sign out, and send a signed-out visitor of a deep link to sign-in and back', async () => {
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
    await page.getByRole('button', { name: TEXT.id['shell.signOut'] }).click();
    await page.getByRole('heading', { name: TEXT.id['signIn.title'] }).waitFor();
    const me = await page.evaluate("fetch('/api/v1/me').then((response) => response.status)");
    expect(me).toBe(401);

    await page.goto(`${stack.baseUrl}/account/tokens`);
    await page.getByRole('heading', { name: TEXT.id['signIn.title'] }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account/tokens');
    await page.getByLabel(TEXT.id['signIn.email']!, { exact: true }).fill(staffEmail);
    await page.getByLabel(TEXT.id['signIn.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: TEXT.id['signIn.submit']!, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: TEXT.id['tokens.title'] }).waitFor();
  });

  it('should show the not-found page for unknown paths and for screens the role may not open', async () => {
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
    for (const path of ['/no-such-page', '/users', '/audit']) {
      await page.goto(`${stack.baseUrl}${path}`);
      await page.getByRole('heading', { level: 1, name: TEXT.id['notFound.title'] }).waitFor();
    }
  });
});
