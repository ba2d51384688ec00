import { Role } from '@betang/core';
import { makeInstitution, makeQuota, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { launchBrowser, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(120_000);

const T = TEXT.id;
const fill = (s: string, values: Record<string, string | number>) =>
  Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{${k}}`, String(v)), s);

describe('web user management (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let headEmail: string;
  let operatorEmail: string;
  let otherHeadEmail: string;
  let institutionName: string;
  let adminEmail: string;

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const admin = await makeUser(stack.db, { roles: [Role.Admin] });
    adminEmail = admin.email;
    const institution = await makeInstitution(stack.db, { name: 'Biro Administrasi Pimpinan' });
    const other = await makeInstitution(stack.db, { name: 'Dinas Pendidikan' });
    institutionName = institution.name;
    await makeQuota(stack.db, institution.id, admin.id);
    headEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: institution.id, name: 'Kepala Biro' })).email;
    otherHeadEmail = (await makeUser(stack.db, { roles: [Role.InstitutionHead], institutionId: other.id, name: 'Kepala Dinas Pendidikan' }))
      .email;
    operatorEmail = (await makeUser(stack.db, { roles: [Role.Operator], name: 'Rina Operator' })).email;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

  async function openUsers(): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: T['nav.users'] }).click();
    await page.getByRole('heading', { level: 1, name: T['users.title'] }).waitFor();
  }

  it('should let an institution head add a user who then appears in the list and can sign in', async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    await openUsers();
    const form = page.getByRole('form', { name: T['users.addTitle'] });
    await form.getByLabel(T['users.name']!, { exact: true }).fill('Budi Santoso');
    await form.getByLabel(T['users.email']!, { exact: true }).fill('budi.santoso@biro.kalteng.go.id');
    await form.getByLabel(T['users.password']!, { exact: true }).fill('Sandi-Awal-Budi-2026');
    await form.getByLabel(T['users.nip']!).fill('198703152010011002');
    await form.getByLabel(T['role.institution_staff']!).check();
    await form.getByRole('button', { name: T['users.addSubmit'] }).click();

    await page
      .getByRole('status')
      .filter({ hasText: fill(T['users.added']!, { name: 'Budi Santoso' }) })
      .waitFor();
    const row = page.getByRole('row').filter({ hasText: 'budi.santoso@biro.kalteng.go.id' });
    await row.waitFor();
    expect(await row.textContent()).toContain(T['role.institution_staff']);
    expect(await form.getByLabel(T['users.name']!, { exact: true }).inputValue()).toBe('');

    await page.getByRole('button', { name: T['shell.signOut'] }).click();
    await signIn(page, stack.baseUrl, 'budi.santoso@biro.kalteng.go.id', 'Sandi-Awal-Budi-2026');
    await page.getByText(institutionName).first().waitFor();
  });

  it('should show the API refusal of a taken e-mail and client-side rule errors on the fields', async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    await openUsers();
    const form = page.getByRole('form', { name: T['users.addTitle'] });
    await form.getByLabel(T['users.name']!, { exact: true }).fill('Pendek');
    await form.getByLabel(T['users.email']!, { exact: true }).fill('pendek@biro.kalteng.go.id');
    await form.getByLabel(T['users.password']!, { exact: true }).fill('pendek');
    await form.getByRole('button', { name: T['users.addSubmit'] }).click();
    const password = form.getByLabel(T['users.password']!, { exact: true });
    await form.getByText('Paling sedikit 12 karakter.').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('group', { name: T['users.roles'] }).getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel(T['users.email']!, { exact: true }).fill(headEmail);
    await password.fill('Sandi-Yang-Cukup-Panjang');
    await form.getByLabel(T['role.institution_staff']!).check();
    await form.getByRole('button', { name: T['users.addSubmit'] }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: `E-mail ${headEmail} sudah terdaftar.` })
      .waitFor();
  });

  it('should change roles and deactivate a user', async () => {
    await signIn(page, stack.baseUrl, headEmail, TEST_PASSWORD);
    await openUsers();
    const form = page.getByRole('form', { name: T['users.addTitle'] });
    await form.getByLabel(T['users.name']!, { exact: true }).fill('Citra Lestari');
    await form.getByLabel(T['users.email']!, { exact: true }).fill('citra@biro.kalteng.go.id');
    await form.getByLabel(T['users.password']!, { exact: true }).fill('Sandi-Awal-Citra-2026');
    await form.getByLabel(T['role.institution_staff']!).check();
    await form.getByRole('button', { name: T['users.addSubmit'] }).click();
    await page.getByRole('row').filter({ hasText: 'citra@biro.kalteng.go.id' }).waitFor();

    await page.getByRole('button', { name: fill(T['users.editLabel']!, { name: 'Citra Lestari' }) }).click();
    const edit = page.getByRole('form', { name: fill(T['users.editTitle']!, { name: 'Citra Lestari' }) });
    // Clearing sign-in delays is an admin's action: a head gets no such button.
    expect(await edit.getByRole('button', { name: T['users.unlock'] }).count()).toBe(0);
    await edit.getByLabel(T['role.institution_head']!).check();
    await edit.getByLabel(T['users.active']!).uncheck();
    await edit.getByRole('button', { name: T['common.save'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['users.saved']!, { name: 'Citra Lestari' }) })
      .waitFor();
    const row = page.getByRole('row').filter({ hasText: 'citra@biro.kalteng.go.id' });
    await row.filter({ hasText: T['users.statusInactive'] }).waitFor();
    expect(await row.textContent()).toContain(T['role.institution_head']);
  });

  it('should give an operator the console: institutions list, then one institution with its quota', async () => {
    await signIn(page, stack.baseUrl, operatorEmail, TEST_PASSWORD);
    await page.getByRole('heading', { level: 1, name: T['dashboard.consoleTitle'] }).waitFor();
    await page.getByText(T['shell.console']!, { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Dinas Pendidikan' }).waitFor();
    await page.getByRole('link', { name: institutionName }).click();
    await page.getByRole('heading', { level: 1, name: institutionName }).waitFor();
    await page.getByText('0 dari 16 vCPU (0%)').waitFor();
    // an operator (not admin) manages no institution users and sees no staff page
    expect(await page.getByRole('region', { name: T['users.listTitle'] }).count()).toBe(0);
    expect(await page.getByRole('link', { name: T['nav.staff'] }).count()).toBe(0);
  });

  it("should keep an institution head out of another institution's users", async () => {
    await signIn(page, stack.baseUrl, otherHeadEmail, TEST_PASSWORD);
    await openUsers();
    expect(await page.getByRole('row').filter({ hasText: headEmail }).count()).toBe(0);
    await page.getByRole('row').filter({ hasText: otherHeadEmail }).waitFor();
  });

  it("should let an admin clear a user's sign-in delays from the user's edit panel", async () => {
    const target = await makeUser(stack.db, { roles: [Role.Auditor], name: 'Dodi Auditor' });
    const attempt = (password: string) =>
      fetch(`${stack.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: target.email, password }),
      });
    for (let i = 0; i < 5; i += 1) expect((await attempt('salah-sekali-123')).status).toBe(401);
    expect((await attempt(TEST_PASSWORD)).status).toBe(429);

    await signIn(page, stack.baseUrl, adminEmail, TEST_PASSWORD);
    await page.getByRole('navigation').getByRole('link', { name: T['nav.staff'] }).click();
    await page.getByRole('button', { name: fill(T['users.editLabel']!, { name: 'Dodi Auditor' }) }).click();
    const edit = page.getByRole('form', { name: fill(T['users.editTitle']!, { name: 'Dodi Auditor' }) });
    await edit.getByRole('button', { name: T['users.unlock'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['users.unlocked']!, { name: 'Dodi Auditor' }) })
      .waitFor();
    expect((await attempt(TEST_PASSWORD)).status).toBe(200);
  });
});
