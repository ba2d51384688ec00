import { CONTRACT_MESSAGES, Role } from '@betang/core';
import { makeInstitution, makeUser, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { closeCheckedPage, launchBrowser, openCleanPage, signIn, TEXT, type Browser } from './support/browser';
import { fill } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(120_000);

/** Texts no screen may show: zod's own wording in either language, and two languages in one line. */
const RAW = /Invalid input|Terlalu kecil|Too small|Input tidak valid| \/ [A-Z]/;

describe('web: form errors in the chosen language only (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let staffEmail: string;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    const institution = await makeInstitution(stack.db);
    staffEmail = (await makeUser(stack.db, { roles: [Role.InstitutionStaff], institutionId: institution.id })).email;
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

  it('should word the sign-in checks from the catalogue in Indonesian, then in English', async () => {
    await page.goto(`${stack.baseUrl}/login`);
    for (const locale of ['id', 'en'] as const) {
      const T = TEXT[locale];
      if (locale === 'en') await page.getByLabel(TEXT.id['shell.language']!).selectOption('en');
      await page.getByRole('heading', { name: T['signIn.title'] }).waitFor();
      await page.getByLabel(T['signIn.email']!, { exact: true }).fill('bukan-email');
      await page.getByLabel(T['signIn.password']!, { exact: true }).fill('');
      await page.getByRole('button', { name: T['signIn.submit']!, exact: true }).click();
      const form = page.getByRole('main');
      await form.getByText(locale === 'id' ? 'Alamat e-mail tidak valid.' : 'Invalid e-mail address.').waitFor();
      await form.getByText(T['zod.required']!).waitFor();
      expect((await form.locator('.field-error').allTextContents()).filter((text) => RAW.test(text))).toEqual([]);
    }
  });

  it("should word a contract's own rule (NIP) in the chosen language and accept a NIP written in groups", async () => {
    await signIn(page, stack.baseUrl, staffEmail, TEST_PASSWORD);
    for (const locale of ['id', 'en'] as const) {
      const T = TEXT[locale];
      if (locale === 'en') {
        await page.getByLabel(TEXT.id['shell.language']!).selectOption('en');
        await page.getByRole('heading', { level: 1, name: T['apps.title'] }).waitFor();
      } else {
        await page.getByRole('navigation').getByRole('link', { name: T['nav.applications'] }).click();
        await page.getByRole('heading', { level: 1, name: T['apps.title'] }).waitFor();
      }
      await page.getByRole('button', { name: T['apps.add'] }).click();
      const form = page.getByRole('form', { name: T['apps.addTitle'] });
      const name = `Aplikasi ${locale}`;
      await form.getByLabel(T['apps.name']!, { exact: true }).fill(name);
      await form.getByLabel(T['apps.picName']!, { exact: true }).fill('Budi Staf');
      await form.getByLabel(T['apps.picNip']!, { exact: true }).fill('19870315 201001 1 00');
      await form.getByLabel(T['apps.picEmail']!, { exact: true }).fill('budi@biro.kalteng.go.id');
      await form.getByRole('button', { name: T['apps.addSubmit'] }).click();
      await form.getByText(CONTRACT_MESSAGES.nip[locale]).waitFor();
      const errors = await form.locator('.field-error').allTextContents();
      expect(errors).toContain(CONTRACT_MESSAGES.nip[locale]);
      expect(errors.filter((text) => RAW.test(text) || text.includes(CONTRACT_MESSAGES.nip[locale === 'id' ? 'en' : 'id']))).toEqual([]);
      await form.getByLabel(T['apps.picNip']!, { exact: true }).fill('19870315 201001 1 002');
      await form.getByRole('button', { name: T['apps.addSubmit'] }).click();
      await page
        .getByRole('status')
        .filter({ hasText: fill(T['apps.added']!, { name }) })
        .waitFor();
      // the list shows the NIP grouped as it was typed, stored as 18 digits
      await page.getByRole('row').filter({ hasText: name }).filter({ hasText: '19870315 201001 1 002' }).waitFor();
    }
  });
});
