/**
 * `npm run screenshots`: boots the same stack as the browser tests (real API serving a fresh
 * `vite build`, a scratch PostgreSQL database) with the launcher's demo data plus a little usage,
 * and saves the main screens to docs/screenshots/*.png (desktop 1366×768, and phone views).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import globalSetup from '../../packages/testkit/src/jest-global-setup';
import globalTeardown from '../../packages/testkit/src/jest-global-teardown';
import { DEMO_PASSWORD, seedDemoData } from '../../apps/launcher/src/seed-demo';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

const OUT = path.resolve(__dirname, '../../docs/screenshots');
const T = TEXT.id;

/** Some requests holding quota, so the bars show real usage (skipped if the schema moved on). */
async function addDemoUsage(stack: WebStack): Promise<void> {
  try {
    const adpim = await stack.db.selectFrom('institutions').select('id').where('code', '=', 'BIRO-ADPIM').executeTakeFirstOrThrow();
    const staff = await stack.db.selectFrom('users').select('id').where('email', '=', 'staf.adpim@betang.demo').executeTakeFirstOrThrow();
    const app = await stack.db
      .insertInto('applications')
      .values({ institutionId: adpim.id, name: 'SIPD Biro Adpim', kind: 'khusus', dataClassification: 'rendah', picName: 'Budi Staf Adpim', picNip: '198703152010011002', picEmail: 'staf.adpim@betang.demo' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const request = (hostname: string, status: string, cores: number, memoryMib: number, diskGib: number) => ({
      institutionId: adpim.id,
      applicationId: app.id,
      requestedBy: staff.id,
      hostname,
      templateId: 'debian-12',
      cores,
      memoryMib,
      diskGib,
      status,
      purpose: 'Layanan aplikasi SIPD',
      sshPublicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBetangDemoKeyOnlyForScreenshots budi@adpim'],
      contact: { name: 'Budi Staf Adpim', nip: '198703152010011002', phone: '0812-5000-1234', email: 'staf.adpim@betang.demo' },
    });
    await stack.db.insertInto('vpsRequests').values([request('sipd-web-01', 'active', 4, 8192, 80), request('sipd-db-01', 'active', 4, 8192, 160), request('ppid-web-01', 'submitted', 2, 4096, 40)]).execute();
  } catch (error) {
    console.warn(`demo usage skipped (${(error as Error).message}); quota bars will show zero usage`);
  }
}

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.evaluate('document.activeElement?.blur()');
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
  console.log(`saved docs/screenshots/${name}.png`);
}

async function open(page: Page, stack: WebStack, route: string, heading: string): Promise<void> {
  await page.goto(`${stack.baseUrl}${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await globalSetup();
  const stack = await startWebStack();
  const browser = await launchBrowser();
  try {
    await seedDemoData(stack.db);
    await addDemoUsage(stack);
    const page = await browser.context.newPage();

    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('heading', { name: T['signIn.title'] }).waitFor();
    await shot(page, '01-sign-in');

    await signIn(page, stack.baseUrl, 'kepala.adpim@betang.demo', DEMO_PASSWORD);
    await open(page, stack, '/', T['dashboard.portalTitle']!);
    await shot(page, '02-institution-dashboard');
    await open(page, stack, '/users', T['users.title']!);
    await shot(page, '03-institution-users', true);
    await open(page, stack, '/account/tokens', T['tokens.title']!);
    await page.getByLabel(T['tokens.name']!, { exact: true }).fill('skrip pemantauan');
    await page.getByRole('button', { name: T['tokens.create'] }).click();
    await page.getByTestId('token-secret').waitFor();
    await shot(page, '04-api-tokens', true);
    await open(page, stack, '/account/security', T['security.title']!);
    await page.getByRole('button', { name: T['security.start'] }).click();
    await page.getByTestId('totp-secret').waitFor();
    await shot(page, '05-totp-enrolment');
    await open(page, stack, '/audit', T['audit.title']!);
    await shot(page, '06-audit-log');

    await page.setViewportSize(PHONE);
    await open(page, stack, '/', T['dashboard.portalTitle']!);
    await shot(page, '11-phone-dashboard', true);
    await open(page, stack, '/users', T['users.title']!);
    await shot(page, '12-phone-users');
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: T['shell.signOut'] }).click();

    await signIn(page, stack.baseUrl, 'admin@betang.demo', DEMO_PASSWORD);
    await open(page, stack, '/', T['dashboard.consoleTitle']!);
    await shot(page, '07-operator-dashboard');
    await page.getByRole('link', { name: /Biro Administrasi Pimpinan/ }).click();
    await page.getByText(T['quota.title']!).waitFor();
    await shot(page, '08-institution-detail', true);
    await open(page, stack, '/audit', T['audit.title']!);
    await shot(page, '09-operator-audit-log');
    await page.getByLabel(T['shell.language']!).selectOption('en');
    await open(page, stack, '/', TEXT.en['dashboard.consoleTitle']!);
    await shot(page, '10-operator-dashboard-en');
    await page.getByLabel(TEXT.en['shell.language']!).selectOption('id');
    await open(page, stack, '/no-such-page', T['notFound.title']!);
    await shot(page, '13-not-found');
  } finally {
    await browser.close();
    await stack.close();
    await globalTeardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
