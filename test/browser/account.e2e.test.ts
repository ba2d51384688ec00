import { AUDIT_ACTION_NAMES, Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { totpCode } from '../../apps/api/src/security/totp';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
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
  let scopeHeadEmail: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const institution = await makeInstitution(stack.db);
    headEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Instansi' })).email;
    totpHeadEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Dua Langkah' }))
      .email;
    auditHeadEmail = (
      await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: (await makeInstitution(stack.db)).id, name: 'Kepala Audit' })
    ).email;
    scopeHeadEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Cakupan' }))
      .email;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

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
    await page
      .getByRole('status')
      .filter({ hasText: T['tokens.revoked']!.replace('{name}', 'skrip pemantauan') })
      .waitFor();
    await page.getByText(T['tokens.empty']!).waitFor();
    const afterRevoke = await fetch(`${stack.baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(afterRevoke.status).toBe(401);
  });

  it('should create a token with chosen scopes and expiry, list them, and let the API hold it to those scopes', async () => {
    await signIn(page, stack.baseUrl, scopeHeadEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/account/tokens`);
    await page.getByLabel(T['tokens.name']!, { exact: true }).fill('sinkron inventaris');
    const expires = page.getByLabel(T['tokens.expires']!, { exact: true });
    // 90 days ahead by default (a WIB date), and the picker stops at 364 days
    const today = Date.now() + 7 * 3_600_000;
    expect(await expires.inputValue()).toBe(new Date(today + 90 * 86_400_000).toISOString().slice(0, 10));
    expect(await expires.getAttribute('max')).toBe(new Date(today + 364 * 86_400_000).toISOString().slice(0, 10));
    await expires.fill(new Date(today + 400 * 86_400_000).toISOString().slice(0, 10));
    const scopes = page.getByRole('group', { name: T['tokens.scopes'] });
    expect(await scopes.getByRole('checkbox', { name: T['tokens.scopeRead'] }).isChecked()).toBe(true);
    await scopes.getByRole('checkbox', { name: T['tokens.scopeInventoryWrite'] }).check();
    await page.getByRole('button', { name: T['tokens.create'] }).click();
    await page.getByText(T['tokens.expiresRange']!).first().waitFor();
    expect(await page.getByTestId('token-secret').count()).toBe(0);

    const chosen = new Date(today + 30 * 86_400_000).toISOString().slice(0, 10);
    await expires.fill(chosen);
    await page.getByRole('button', { name: T['tokens.create'] }).click();
    const secret = (await page.getByTestId('token-secret').textContent()) ?? '';
    expect(secret).toMatch(/^btg_/);
    const row = page.getByRole('row').filter({ hasText: 'sinkron inventaris' });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(T['tokens.scopeRead']);
    expect(rowText).toContain(T['tokens.scopeInventoryWrite']);
    expect(rowText).not.toContain(T['tokens.scopeAdmin']);
    expect(rowText).toContain(T['tokens.notUsed']);

    const listed = await fetch(`${stack.baseUrl}/api/v1/me/tokens`, { headers: { Authorization: `Bearer ${secret}` } });
    const token = ((await listed.json()) as { items: { name: string; scopes: string[]; expiresAt: string }[] }).items.find(
      (t) => t.name === 'sinkron inventaris',
    );
    expect(token?.scopes).toEqual(['read', 'inventory:write']);
    expect(token?.expiresAt).toBe(new Date(`${chosen}T23:59:59+07:00`).toISOString());
    const write = await fetch(`${stack.baseUrl}/api/v1/vps-requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('TOKEN_SCOPE_MISSING');
    await page.reload();
    const usedRow = page.getByRole('row').filter({ hasText: 'sinkron inventaris' });
    await usedRow.waitFor();
    expect(await usedRow.textContent()).not.toContain(T['tokens.notUsed']);
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
    await page.getByRole('alert').filter({ hasText: 'Kode dari aplikasi autentikator salah; TOTP tidak diaktifkan.' }).waitFor();

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

    // Each code is accepted once: the one that confirmed the app cannot sign in, the next one can.
    await signIn(page, stack.baseUrl, totpHeadEmail, TEST_PASSWORD, totpCode(secret, Date.now() + 30_000));

    // Replacing the device asks for a code from the app in use, not only the password.
    await stack.db.updateTable('users').set({ totpLastStep: null }).where('email', '=', totpHeadEmail).execute(); // as if the clock had moved on a step
    await page.getByRole('link', { name: T['nav.security'] }).click();
    await page.getByRole('button', { name: T['security.reenrol'] }).click();
    const replacement = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel(T['security.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel(T['security.currentCode']!, { exact: true }).fill('000000' === totpCode(secret) ? '111111' : '000000');
    await page.getByLabel(T['security.newCode']!, { exact: true }).fill(totpCode(replacement));
    await page.getByRole('button', { name: T['security.replace'] }).click();
    await page.getByRole('alert').filter({ hasText: 'Kata sandi atau kode TOTP saat ini salah; TOTP tidak diganti.' }).waitFor();
    await page.getByLabel(T['security.currentCode']!, { exact: true }).fill(totpCode(secret));
    await page.getByRole('button', { name: T['security.replace'] }).click();
    await page.getByRole('status').filter({ hasText: T['security.replaced'] }).waitFor();
  });

  it("should list the institution's audit entries for its head and filter them by action", async () => {
    await signIn(page, stack.baseUrl, auditHeadEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.audit'] }).click();
    await page.getByRole('heading', { level: 1, name: T['audit.title'] }).waitFor();
    const list = page.getByRole('region', { name: T['audit.listTitle'] });
    const signedIn = AUDIT_ACTION_NAMES['auth.login_succeeded'].id;
    await list.getByRole('row').filter({ hasText: signedIn }).first().waitFor();
    // the log names actions in words, never by their codes
    expect(await list.getByText('auth.login_succeeded').count()).toBe(0);
    // institution heads get no institution filter: they only ever see their own institution
    expect(await page.getByLabel(T['audit.institution']!).count()).toBe(0);

    await page.getByLabel(T['audit.action']!, { exact: true }).selectOption({ label: AUDIT_ACTION_NAMES['user.totp_enabled'].id });
    await page.getByRole('button', { name: T['audit.apply'] }).click();
    await list.getByText(T['audit.empty']!).waitFor();

    await page.getByLabel(T['audit.action']!, { exact: true }).selectOption({ label: signedIn });
    await page.getByRole('button', { name: T['audit.apply'] }).click();
    await list.getByRole('row').filter({ hasText: signedIn }).first().waitFor();
    const actions = await list.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set([signedIn]));
  });
});

describe('web: the TOTP enrolment gate for roles that require it (TOTP_REQUIRED_ROLES on, real Chromium)', () => {
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

  it('should take an operator without TOTP to the enrolment page, keep them there, and let them in once enrolled', async () => {
    const operator = await makeUser(stack.db, { roles: [Role.Operator], name: 'Operator Baru' });
    await signIn(page, stack.baseUrl, operator.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: T['totpGate.title'] }).waitFor();
    // The gate shows at once on whatever path was asked for, then moves the address to its page.
    await page.waitForURL((url) => url.pathname === '/account/security', { timeout: 10_000 });
    await page.getByText(T['totpGate.explain']!.replace('{name}', 'Operator Baru')).waitFor();
    // no navigation to anywhere else
    expect(await page.getByRole('navigation').count()).toBe(0);
    await page.goto(`${stack.baseUrl}/operator/queue`);
    await page.getByRole('heading', { level: 1, name: T['totpGate.title'] }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account/security');

    // QR code (drawn in the page), link and key all carry the same secret
    const qr = page.getByRole('img', { name: T['security.qrAlt'] });
    await qr.waitFor();
    // (no DOM lib in the tests' TypeScript settings: the element is described by the two fields read)
    expect(
      await qr.evaluate(
        (img) =>
          (img as unknown as { complete: boolean; naturalWidth: number }).complete &&
          (img as unknown as { naturalWidth: number }).naturalWidth > 100,
      ),
    ).toBe(true);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByRole('link', { name: T['security.openApp'] }).getAttribute('href')).toContain(`secret=${secret}`);

    await page.getByLabel(T['security.password']!, { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel(T['security.code']!, { exact: true }).fill(totpCode(secret));
    await page.getByRole('button', { name: T['security.confirm'] }).click();
    // enrolled: the normal console appears and other pages open
    await page.getByRole('navigation').getByRole('link', { name: T['nav.security'] }).waitFor();
    await page.goto(`${stack.baseUrl}/account/tokens`);
    await page.getByRole('heading', { level: 1, name: T['tokens.title'] }).waitFor();
  });

  it('should let a restricted user sign out from the gate, and leave staff alone', async () => {
    const institution = await makeInstitution(stack.db);
    const head = await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    await signIn(page, stack.baseUrl, head.email, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: T['totpGate.title'] }).waitFor();
    await page.getByRole('button', { name: T['shell.signOut'] }).click();
    await page.getByLabel(T['signIn.email']!, { exact: true }).waitFor();

    const staff = await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    await signIn(page, stack.baseUrl, staff.email, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.tokens'] }).waitFor();
    expect(await page.getByRole('heading', { name: T['totpGate.title'] }).count()).toBe(0);
  });
});
