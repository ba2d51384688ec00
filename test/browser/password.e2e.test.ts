import { Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;

/** Fills an ICU message's `{name}` arguments (plain, no plural), as the page shows it. */
const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_m, key: string) => values[key] ?? '');

describe('web passwords: forgotten password by e-mail, change on the account page, deactivation (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

  /** The link of the last reset e-mail the API queued for `email`, as the outbox holds it. */
  async function resetLinkFor(email: string): Promise<URL> {
    const rows = await stack.db.selectFrom('outbox').select('payload').where('topic', '=', 'email').orderBy('id', 'desc').execute();
    const mail = rows.map((row) => row.payload as { to: string[]; text: { id: string } }).find((m) => m.to.includes(email));
    const link = /(https?:\/\/\S+\/reset-password#token=[A-Za-z0-9_-]{43})/.exec(mail?.text.id ?? '')?.[1];
    if (!link) throw new Error(`no reset e-mail for ${email}`);
    return new URL(link);
  }

  it('should send a reset link from "Lupa kata sandi?", set a new password from the link, and sign in with it', async () => {
    const user = await makeUser(stack.db, { roles: [Role.Auditor], name: 'Maria Ulfah' });
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('link', { name: T['password.forgotLink'] }).click();
    await page.getByRole('heading', { name: T['password.forgotTitle'] }).waitFor();
    await page.getByLabel(T['signIn.email']!, { exact: true }).fill(user.email);
    await page.getByRole('button', { name: T['password.forgotSubmit'] }).click();
    await page.getByRole('status').filter({ hasText: T['password.forgotSent']! }).waitFor();

    // The stack's API runs on a random port; the e-mailed link names PUBLIC_URL, so its path and fragment are opened here.
    const link = await resetLinkFor(user.email);
    expect(link.pathname).toBe('/reset-password');
    await page.goto(`${stack.baseUrl}${link.pathname}${link.hash}`);
    await page.getByRole('heading', { name: T['password.resetTitle'] }).waitFor();
    const fresh = 'Danau-Tahai-Tenang-Pagi-58';
    await page.getByLabel(T['password.new']!, { exact: true }).fill('password1234');
    await page.getByLabel(T['password.repeat']!, { exact: true }).fill('password1234');
    await page.getByRole('button', { name: T['password.resetSubmit'] }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /terlalu mudah ditebak/ })
      .first()
      .waitFor();

    await page.getByLabel(T['password.new']!, { exact: true }).fill(fresh);
    await page.getByLabel(T['password.repeat']!, { exact: true }).fill(fresh);
    await page.getByRole('button', { name: T['password.resetSubmit'] }).click();
    await page.getByRole('status').filter({ hasText: T['password.resetDone']! }).waitFor();
    // The spent secret is gone from the address bar.
    expect(new URL(page.url()).hash).toBe('');

    await page.getByRole('link', { name: T['password.toSignIn'] }).click();
    await signIn(page, stack.baseUrl, user.email, fresh);
    const old = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: TEST_PASSWORD }),
    });
    expect(old.status).toBe(401);

    // The same link again: refused with the API's message.
    await page.goto(`${stack.baseUrl}${link.pathname}${link.hash}`);
    await page.getByLabel(T['password.new']!, { exact: true }).fill('Burung-Enggang-Terbang-88');
    await page.getByLabel(T['password.repeat']!, { exact: true }).fill('Burung-Enggang-Terbang-88');
    await page.getByRole('button', { name: T['password.resetSubmit'] }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /sudah dipakai, kedaluwarsa, atau tidak dikenal/ })
      .first()
      .waitFor();
  });

  it('should change the password on the account page with the current one', async () => {
    const user = await makeUser(stack.db, { roles: [Role.Auditor], name: 'Agus Salim' });
    await signIn(page, stack.baseUrl, user.email, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/account/security`);
    const section = page.getByRole('region', { name: T['password.changeTitle'] });
    await section.getByLabel(T['password.current']!, { exact: true }).fill(TEST_PASSWORD);
    const fresh = 'Kapal-Klotok-Sungai-Barito-3';
    await section.getByLabel(T['password.new']!, { exact: true }).fill(fresh);
    await section.getByLabel(T['password.repeat']!, { exact: true }).fill(fresh);
    await section.getByRole('button', { name: T['password.change'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Kata sandi diganti/ })
      .waitFor();
    // This session stays.
    await page.reload();
    await page.getByRole('region', { name: T['password.changeTitle'] }).waitFor();
    const viaNew = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: fresh }),
    });
    expect(viaNew.status).toBe(200);
  });

  it('should let an institution head deactivate and reactivate a user from the users page', async () => {
    const institution = await makeInstitution(stack.db);
    const head = await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Biro' });
    const staff = await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: institution.id, name: 'Staf Pergi' });
    await signIn(page, stack.baseUrl, head.email, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/users`);
    const row = page.getByRole('row').filter({ hasText: 'Staf Pergi' });
    await row.getByRole('button').first().click();
    await page.getByRole('button', { name: T['users.deactivate'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['users.deactivated']!, { name: 'Staf Pergi' }) })
      .waitFor();
    const refused = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: staff.email, password: TEST_PASSWORD }),
    });
    expect(refused.status).toBe(401);

    await row.getByRole('button').first().click();
    await page.getByRole('button', { name: T['users.reactivate'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['users.reactivated']!, { name: 'Staf Pergi' }) })
      .waitFor();
    const back = await fetch(`${stack.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: staff.email, password: TEST_PASSWORD }),
    });
    expect(back.status).toBe(200);
  });
});
