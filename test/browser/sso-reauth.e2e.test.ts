import { Role } from '@betang/core';
import { freePort, makeUser, startTestOidcProvider, TEST_OIDC_CLIENT_SECRET, testEncrypted, type TestOidcProvider } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { totpCode } from '../../apps/api/src/security/totp';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, launchBrowser, openCleanPage, TEXT, type Browser } from './support/browser';
import { apiSession, fill, generateAgreement, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;
const CLIENT = { clientId: 'betang-web', clientSecret: TEST_OIDC_CLIENT_SECRET };
const HEAD_EMAIL = 'kepala.biro.sso@uji.kalteng.go.id';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('signing in again through SSO, and Betang TOTP after SSO (real Chromium, real OIDC provider)', () => {
  let provider: TestOidcProvider;
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let agreement: { id: string };

  beforeAll(async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    provider = await startTestOidcProvider({
      ...CLIENT,
      redirectUris: [`${baseUrl}/api/v1/auth/oidc/callback`],
      accounts: {
        kepala: { email: HEAD_EMAIL, email_verified: true, name: 'Dra. Siti Kepala Biro' },
        operator: { email: 'operator.totp@uji.kalteng.go.id', email_verified: true, name: 'Rina Operator' },
      },
    });
    stack = await startWebStack(
      {
        PUBLIC_URL: baseUrl,
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: CLIENT.clientId,
        OIDC_CLIENT_SECRET: testEncrypted('OIDC_CLIENT_SECRET', CLIENT.clientSecret),
        OIDC_SCOPES: 'openid email profile',
        // Institution heads have no Betang password: SSO is their only way in and their only way to sign.
        OIDC_PASSWORD_DISABLED_ROLES: 'institution_head',
      },
      { port },
    );
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db);
    await stack.db.updateTable('users').set({ email: HEAD_EMAIL }).where('email', '=', world.headEmail).execute();
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    agreement = await generateAgreement(operator, world);
    await operator.close();
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

  /** The provider's own login form, as `login`, then back at Betang. */
  async function logInAtProvider(login: string): Promise<void> {
    await page.waitForURL((url) => url.origin === provider.url);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('sandi-di-penyedia');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL((url) => url.origin === stack.baseUrl);
  }

  it('should let an SSO-only institution head sign an agreement after signing in again from the signing screen', async () => {
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('link', { name: T['sso.signIn'] }).click();
    await logInAtProvider('kepala');
    await page.getByRole('button', { name: T['shell.signOut'] }).waitFor();

    await page.goto(`${stack.baseUrl}/agreements/${agreement.id}`);
    const form = page.getByRole('form', { name: T['agreements.signTitle'] });
    await form.getByRole('button', { name: T['reauth.button'] }).waitFor();
    await form.getByText(T['reauth.ssoOnly']!).waitFor();
    // No password to give, and nothing to submit until the person proved it is them.
    expect(await form.getByLabel(T['agreements.password']!).count()).toBe(0);
    expect(await form.getByRole('button', { name: T['agreements.signSubmit'] }).count()).toBe(0);
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);

    await form.getByRole('button', { name: T['reauth.button'] }).click();
    await logInAtProvider('kepala');
    expect(new URL(page.url()).pathname).toBe(`/agreements/${agreement.id}`);
    expect(new URL(page.url()).searchParams.get('reauth')).toBe('ok');
    await form.getByTestId('reauth-fresh').waitFor();
    await form.getByRole('checkbox').check();
    await form.getByRole('button', { name: T['agreements.signSubmit'] }).click();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['agreements.signed']!, { status: T['agreements.status.awaiting_dc_head']! }) })
      .waitFor();
    await page.locator('ol.timeline').getByText('Dra. Siti Kepala Biro', { exact: true }).waitFor();
  });

  it("should ask Betang's TOTP code after a one-factor SSO login of a user who enrolled it", async () => {
    await makeUser(stack.db, {
      roles: [Role.Operator],
      email: 'operator.totp@uji.kalteng.go.id',
      name: 'Rina Operator',
      totpSecret: TOTP_SECRET,
    });
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByRole('link', { name: T['sso.signIn'] }).click();
    await logInAtProvider('operator');
    await page.getByRole('heading', { level: 1, name: T['reauth.totpTitle'] }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sso/totp');
    expect(await page.evaluate(async () => (await fetch('/api/v1/me')).status)).toBe(401);
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel(T['reauth.totpCode']!).fill(totpCode(TOTP_SECRET));
    await page.getByRole('button', { name: T['reauth.totpSubmit'] }).click();
    await page.getByRole('button', { name: T['shell.signOut'] }).waitFor();
    const me = (await page.evaluate(async () => (await fetch('/api/v1/me')).json())) as { user: { email: string } };
    expect(me.user.email).toBe('operator.totp@uji.kalteng.go.id');
  });
});
