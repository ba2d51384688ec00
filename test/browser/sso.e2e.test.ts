import { Role } from '@betang/core';
import {
  makeInstitution,
  makeUser,
  freePort,
  startTestOidcProvider,
  TEST_OIDC_CLIENT_SECRET,
  TEST_PASSWORD,
  testEncrypted,
  type TestOidcProvider,
} from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, launchBrowser, openCleanPage, signIn, TEXT, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;
const CLIENT = { clientId: 'betang-web', clientSecret: TEST_OIDC_CLIENT_SECRET };

describe('web single sign-on against a real OpenID Connect provider (real Chromium)', () => {
  let provider: TestOidcProvider;
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    // The provider must know Betang's redirect URI before Betang listens, so the port is chosen first.
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    provider = await startTestOidcProvider({
      ...CLIENT,
      redirectUris: [`${baseUrl}/api/v1/auth/oidc/callback`],
      accounts: {
        'dewi.lestari': { email: 'dewi.lestari@uji.kalteng.go.id', email_verified: true, name: 'Dewi Lestari' },
        'rudi.baru': { email: 'rudi.baru@uji.kalteng.go.id', email_verified: true, name: 'Rudi Hartono' },
      },
    });
    stack = await startWebStack(
      {
        PUBLIC_URL: baseUrl,
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: CLIENT.clientId,
        // Stored encrypted like every secret in production (docs/security.md).
        OIDC_CLIENT_SECRET: testEncrypted('OIDC_CLIENT_SECRET', CLIENT.clientSecret),
        OIDC_SCOPES: 'openid email profile',
      },
      { port },
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await provider?.stop();
  });

  beforeEach(async () => {
    ({ page, problems } = await openCleanPage(browser));
    // The provider's development login page links a web font: tests talk to loopback only.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  });

  afterEach(() => closeCheckedPage(page, problems));

  /** From Betang's sign-in page through the provider's own login form, as `login`. */
  async function signInWithSso(login: string): Promise<void> {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('link', { name: T['sso.signIn'] }).click();
    await page.waitForURL((url) => url.origin === provider.url);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('sandi-di-penyedia');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL((url) => url.origin === stack.baseUrl);
  }

  it('should sign a known person in through the provider and open the app with a normal session', async () => {
    const institution = await makeInstitution(stack.db);
    await makeUser(stack.db, {
      roles: [Role.InstitutionStaff],
      institutionId: institution.id,
      email: 'dewi.lestari@uji.kalteng.go.id',
      name: 'Dewi Lestari',
    });
    await signInWithSso('dewi.lestari');
    await page.getByRole('button', { name: new RegExp(`^(${T['shell.signOut']}|${TEXT.en['shell.signOut']})$`) }).waitFor();
    const me = (await page.evaluate(async () => (await fetch('/api/v1/me')).json())) as { user: { email: string } };
    expect(me.user.email).toBe('dewi.lestari@uji.kalteng.go.id');
  });

  it('should show an unknown person the waiting page, let an admin give access, and then let them in', async () => {
    await signInWithSso('rudi.baru');
    await page.getByRole('heading', { name: T['sso.pendingTitle'] }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sso/pending');
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate(async () => (await fetch('/api/v1/me')).status)).toBe(401);

    const institution = await makeInstitution(stack.db, { name: 'Dinas Kominfo Uji SSO' });
    const admin = await makeUser(stack.db, { roles: [Role.Admin] });
    await browser.context.clearCookies();
    await signIn(page, stack.baseUrl, admin.email, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/sso/identities`);
    await page.getByRole('heading', { name: T['sso.title'] }).waitFor();
    await page.getByRole('cell', { name: 'Rudi Hartono', exact: true }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);
    const form = page.getByRole('form', { name: T['sso.assignLabel']!.replace('{name}', 'Rudi Hartono') });
    await form.getByLabel(T['sso.institution']!, { exact: true }).selectOption({ label: 'Dinas Kominfo Uji SSO' });
    await form.getByLabel(T['sso.role']!, { exact: true }).selectOption({ label: T['role.institution_staff']! });
    await form.getByRole('button', { name: T['sso.assignSubmit'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: T['sso.assigned']!.replace('{name}', 'Rudi Hartono') })
      .waitFor();
    const created = await stack.db
      .selectFrom('users')
      .select(['institutionId'])
      .where('email', '=', 'rudi.baru@uji.kalteng.go.id')
      .executeTakeFirstOrThrow();
    expect(created.institutionId).toBe(institution.id);

    await browser.context.clearCookies();
    await signInWithSso('rudi.baru');
    await page.getByRole('button', { name: new RegExp(`^(${T['shell.signOut']}|${TEXT.en['shell.signOut']})$`) }).waitFor();
  });

  it('should offer SSO on the sign-in page and explain every refused sign-on in plain words', async () => {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('link', { name: T['sso.signIn'] }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);

    for (const reason of ['expired', 'unavailable', 'inactive', 'invalid'] as const) {
      await page.goto(`${stack.baseUrl}/sso/failed?reason=${reason}`);
      await page.getByRole('heading', { level: 1, name: T['sso.failedTitle'] }).waitFor();
      await page
        .getByRole('alert')
        .filter({ hasText: T[`sso.failed.${reason}`]! })
        .waitFor();
    }
    // An unknown reason in a hand-made link shows the general one, never the raw value.
    await page.goto(`${stack.baseUrl}/sso/failed?reason=%3Cscript%3E`);
    await page.getByRole('alert').filter({ hasText: T['sso.failed.invalid']! }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
