import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { totpCode } from '../../apps/api/src/security/totp';
import { launchBrowser, signIn, TEXT, watchPageProblems, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(120_000);

const T = TEXT.id;

describe('web account: API tokens, TOTP and the audit log (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let headEmail: string;
  let totpHeadEmail: string;
  let auditHeadEmail: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const institution = await makeInstitution(stack.db);
    headEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Instansi' })).email;
    totpHeadEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Dua Langkah' })).email;
    auditHeadEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: (await makeInstitution(stack.db)).id, name: 'Kepala Audit' })).email;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => {
    await browser.context.clearCookies();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
  });

  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  it('should create a token, show its secret once, let it call the API and revoke it', async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    await page.getByRole('link', { name: T['nav.tokens'] }).click();
    await page.getByText(T['tokens.empty']!).waitFor();
    await page.getByLabel(T['tokens.name']!, { exact: true }).fill('skrip pemantauan');
    await page.getByRole('button', { name: T['tokens.create'] }).click();
    const secret = (await page.getByTestId('token-secret').textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(20);

    const viaToken = await fetch(`${stack.baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(viaToken.status).toBe(200);

    const row = page.getByRole('row').filter({ hasText: 'skrip pemantauan' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/WIB/);
    await page.getByRole('button', { name: T['tokens.secretDone'] }).click();
    expect(await page.getByTestId('token-secret').count()).toBe(0);

    await row.getByRole('button', { name: T['tokens.revokeLabel']!.replace('{name}', 'skrip pemantauan') }).click();
    await row.getByRole('button', { name: T['tokens.confirmRevoke'] }).click();
    await page.getByRole('status').filter({ hasText: T['tokens.revoked']!.replace('{name}', 'skrip pemantauan') }).waitFor();
    await page.getByText(T['tokens.empty']!).waitFor();
    const afterRevoke = await fetch(`${stack.baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(afterRevoke.status).toBe(401);
  });

  it('should enrol TOTP and then require the code to sign in', async () => {
    await signIn(page, stack.baseUrl, totpHeadEmail, TEST_PASSWORD);
    await page.getByRole('link', { name: T['nav.security'] }).click();
    await page.getByText(T['security.totpOff']!).waitFor();
    await page.getByRole('button', { name: T['security.start'] }).click();
    const shown = (await page.getByTestId('totp-secret').textContent()) ?? '';
    const secret = shown.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByRole('link', { name: T['security.openApp'] }).getAttribute('href')).toContain(`secret=${secret}`);

    await page.getByLabel(T['security.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel(T['security.code']!, { exact: true }).fill('000000' === totpCode(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: T['security.confirm'] }).click();
    await page.getByRole('alert').filter({ hasText: 'E-mail, kata sandi, atau kode TOTP salah.' }).waitFor();

    await page.getByLabel(T['security.code']!, { exact: true }).fill(totpCode(secret));
    await page.getByRole('button', { name: T['security.confirm'] }).click();
    await page.getByRole('status').filter({ hasText: T['security.enabled'] }).waitFor();
    await page.getByText(T['security.totpOn']!, { exact: true }).waitFor();

    await page.getByRole('button', { name: T['shell.signOut'] }).click();
    await page.getByLabel(T['signIn.email']!, { exact: true }).fill(totpHeadEmail);
    await page.getByLabel(T['signIn.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: T['signIn.submit']!, exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'E-mail, kata sandi, atau kode TOTP salah.' }).waitFor();
    await page.getByText(T['signIn.invalidHint']!).waitFor();

    await signIn(page, stack.baseUrl, totpHeadEmail, TEST_PASSWORD, totpCode(secret));
  });

  it("should list the institution's audit entries for its head and filter them by action", async () => {
    await signIn(page, stack.baseUrl, auditHeadEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.audit'] }).click();
    await page.getByRole('heading', { level: 1, name: T['audit.title'] }).waitFor();
    const list = page.getByRole('region', { name: T['audit.listTitle'] });
    await list.getByRole('row').filter({ hasText: 'auth.login_succeeded' }).first().waitFor();
    // institution heads get no institution filter: they only ever see their own institution
    expect(await page.getByLabel(T['audit.institution']!).count()).toBe(0);

    await page.getByLabel(T['audit.action']!, { exact: true }).fill('user.totp_enabled');
    await page.getByRole('button', { name: T['audit.apply'] }).click();
    await list.getByText(T['audit.empty']!).waitFor();

    await page.getByLabel(T['audit.action']!, { exact: true }).fill('auth.login_succeeded');
    await page.getByRole('button', { name: T['audit.apply'] }).click();
    await list.getByRole('row').filter({ hasText: 'auth.login_succeeded' }).first().waitFor();
    const actions = await list.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['auth.login_succeeded']));
  });
});
