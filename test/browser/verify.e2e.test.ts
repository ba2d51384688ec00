import { TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/axe';
import { DESKTOP, launchBrowser, PHONE, signIn, TEXT, closeCheckedPage, openCleanPage, type Browser } from './support/browser';
import { apiSession, generateAgreement, makePortalWorld, type ApiSession, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;
const E = TEXT.en;

describe('public agreement verification page (real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let code: string;
  let original: Buffer;
  let signed: Buffer;

  async function document(session: ApiSession, id: string): Promise<Buffer> {
    return (await session.api.get(`/api/v1/agreements/${id}/document`)).body();
  }

  async function signAs(email: string, id: string): Promise<void> {
    const session = await apiSession(stack.baseUrl, email);
    const detail = (await (await session.api.get(`/api/v1/agreements/${id}`)).json()) as { currentSha256: string };
    const answer = await session.post(`/agreements/${id}/signatures`, {
      password: TEST_PASSWORD,
      consent: true,
      expectedSha256: detail.currentSha256,
    });
    await session.close();
    if (answer.status !== 201) throw new Error(`sign: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  beforeAll(async () => {
    stack = await startWebStack();
    browser = await launchBrowser();
    // CI shares two cores with the API, PostgreSQL and (here) more: allow slow moments
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db, 'Dinas Kesehatan');
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    const agreement = await generateAgreement(operator, world);
    code = agreement.verificationCode;
    original = await document(operator, agreement.id);
    await signAs(world.headEmail, agreement.id);
    await signAs(world.dcHeadEmail, agreement.id);
    signed = await document(operator, agreement.id);
    await operator.close();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));

  afterEach(() => closeCheckedPage(page, problems));

  async function upload(name: string, pdf: Buffer): Promise<string> {
    await page.getByLabel(T['verify.file']!).setInputFiles({ name, mimeType: 'application/pdf', buffer: pdf });
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    return (await verdict.textContent()) ?? '';
  }

  it('should tell anyone, without signing in, that the signed PDF is genuine and in force, and who signed when', async () => {
    await page.goto(`${stack.baseUrl}/verify`);
    await page.getByRole('heading', { level: 1, name: T['verify.title'] }).waitFor();
    expect(await page.getByRole('button', { name: T['shell.signOut'] }).count()).toBe(0);
    const text = await upload('perjanjian.pdf', signed);
    expect(text).toContain(T['verify.valid']);
    expect(text).toContain('Dinas Kesehatan');
    expect(text).toContain('Dra. Siti Kepala Biro');
    expect(text).toContain('Ir. Agus Kepala Dinas');
    expect(text).toMatch(/WIB/);
  });

  it('should say the unsigned original is genuine but not in force, and a changed file is not genuine', async () => {
    await page.goto(`${stack.baseUrl}/verify`);
    expect(await upload('asli.pdf', original)).toContain(T['verify.genuineNotValid']);
    expect(await page.getByTestId('verdict').textContent()).toContain(T['verify.notFullySigned']);

    // one byte changed inside the signed content
    const changed = Buffer.from(signed);
    const at = changed.indexOf('PERJANJIAN');
    const flipAt = at > 0 ? at : 2000;
    changed.writeUInt8(changed.readUInt8(flipAt) ^ 0x01, flipAt);
    await page.getByLabel(T['verify.file']!).setInputFiles([]);
    const text = await upload('diubah.pdf', changed);
    expect(text).toContain(T['verify.notGenuine']);
  });

  it('should open the QR link as a page with the recorded status, in English too, and work for a signed-in user', async () => {
    await page.goto(`${stack.baseUrl}/verify/${code}`);
    await page.getByRole('heading', { level: 1, name: T['verify.codeTitle'] }).waitFor();
    await page.getByTestId('verdict').getByText(T['verify.valid']!).waitFor();
    await page.getByLabel(T['shell.language']!).selectOption('en');
    await page.getByTestId('verdict').getByText(E['verify.valid']!).waitFor();
    await page.getByLabel(E['shell.language']!).selectOption('id');

    // signed in, the upload goes with the session and its CSRF token
    await signIn(page, stack.baseUrl, world.staffEmail, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/verify`);
    expect(await upload('perjanjian.pdf', signed)).toContain(T['verify.valid']);
  });

  it('should pass axe on desktop and phone, with a result shown', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.baseUrl}/verify`);
      await page.getByRole('heading', { level: 1, name: T['verify.title'] }).waitFor();
      await upload('perjanjian.pdf', signed);
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(`${stack.baseUrl}/verify/${code}`);
      await page.getByTestId('verdict').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    }
  });
});
