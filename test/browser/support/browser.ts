import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); playwright-core never downloads a browser. */
const CHROMIUM = process.env.BETANG_CHROMIUM ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps calling Google services, which the
// closed test network refuses (see shared/reference/toolchain.md §6).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

export type Browser = { context: BrowserContext; close(): Promise<void> };

/**
 * Starts Chromium with a fresh, empty profile. The browser's clock zone is UTC on purpose, so a
 * "WIB" time on screen proves the app converts to Asia/Jakarta itself.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'betang-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: DESKTOP,
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Problems a page reported: script errors and Content-Security-Policy refusals. */
function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`csp: ${message.text()}`);
  });
  return problems;
}

/** A fresh page for one test: signed out (cookies cleared), its problems collected from the start. */
export async function openCleanPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  return { page, problems: watchPageProblems(page) };
}

/** Closes a test's page and fails the test when the page reported a script error or a CSP refusal. */
export async function closeCheckedPage(page: Page, problems: readonly string[]): Promise<void> {
  await page.close();
  expect(problems).toEqual([]);
}

type Catalogue = Record<string, string>;
const catalogue = (name: string): Catalogue =>
  JSON.parse(readFileSync(path.resolve(__dirname, '../../../apps/web/src/i18n', name), 'utf8')) as Catalogue;

/** The web app's own texts, so tests find elements by what people read. */
export const TEXT = { id: catalogue('id.json'), en: catalogue('en.json') };

/** Opens the sign-in page and signs in; resolves when the signed-in shell shows. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string, totp?: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(TEXT.id['signIn.email']!, { exact: true }).fill(email);
  await page.getByLabel(TEXT.id['signIn.password']!, { exact: true }).fill(password);
  if (totp) await page.getByLabel(TEXT.id['signIn.totp']!).fill(totp);
  await page.getByRole('button', { name: TEXT.id['signIn.submit']!, exact: true }).click();
  // the account's language may switch the page to English once signed in
  await page.getByRole('button', { name: new RegExp(`^(${TEXT.id['shell.signOut']}|${TEXT.en['shell.signOut']})$`) }).waitFor();
}

/**
 * Clicks a link of the main navigation by its name; on a phone the menu is folded behind its
 * button first, so the button is pressed when the link is not shown. `exact`: the whole name, not a part of it.
 */
export async function clickNavLink(page: Page, name: string, exact = false): Promise<void> {
  const link = page.getByRole('navigation').getByRole('link', { name, exact });
  if (!(await link.isVisible())) await page.getByRole('button', { name: TEXT.id['guidance.menuOpen']!, exact: true }).click();
  await link.click();
}
