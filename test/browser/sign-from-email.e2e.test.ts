import { testLogDestination, testLogOptions, TEST_PASSWORD } from '@betang/testkit';
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { sendEmailsOnce } from '../../apps/worker/src/notifications/email-sender';
import { createMailTransport } from '../../apps/worker/src/notifications/mail-transport';
import { bodyOf, startSmtp } from '../support/smtp-server';
import { closeCheckedPage, launchBrowser, openCleanPage, signIn, TEXT, type Browser } from './support/browser';
import { apiSession, fill, generateAgreement, makePortalWorld, type PortalWorld } from './support/portal-fixtures';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(240_000);

const T = TEXT.id;

/**
 * Whose turn it is, by e-mail: the worker's sender delivers the "your turn to sign" e-mail over
 * real SMTP; each head opens the link read out of the delivered message (after MIME decoding, as a
 * mail client shows it) and signs there — the institution head first, whose signature sends the
 * data-center head's e-mail, then the data-center head, which puts the agreement in force.
 */
describe('signing an agreement from the e-mail link (real SMTP, real Chromium)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let world: PortalWorld;
  let agreement: { id: string };
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    stack = await startWebStack();
    smtp = await startSmtp();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
    world = await makePortalWorld(stack.db, 'Dinas Uji Tautan Surel');
    const operator = await apiSession(stack.baseUrl, world.operatorEmail);
    agreement = await generateAgreement(operator, world);
    await operator.close();
  });

  afterAll(async () => {
    await browser?.close();
    await smtp?.close();
    await stack?.close();
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  /** Delivers what the outbox holds, then the agreement link of the newest e-mail to `email`. */
  async function linkMailedTo(email: string): Promise<string> {
    const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
    const logger = pino(testLogOptions('sign-email-worker'), testLogDestination('sign-email-worker'));
    await sendEmailsOnce(stack.db, transport, 'Betang <betang@kalteng.go.id>', logger, 50, stack.baseUrl);
    transport.close();
    const mail = [...smtp.received].reverse().find((m) => m.to.includes(email));
    expect(mail).toBeDefined();
    const text = bodyOf(mail!.raw);
    expect(text).toContain('menunggu tanda tangan Anda');
    const links = [...text.matchAll(/https?:\/\/127\.0\.0\.1:\d+\/agreements\/[0-9a-f-]{36}/g)].map((m) => m[0]);
    expect(new Set(links)).toEqual(new Set([`${stack.baseUrl}/agreements/${agreement.id}`]));
    return links[0]!;
  }

  async function signOpenedAgreement(): Promise<void> {
    await page.getByRole('heading', { level: 1, name: T['agreements.detailTitle'] }).waitFor();
    const form = page.getByRole('form', { name: T['agreements.signTitle'] });
    await form.getByLabel(T['agreements.password']!).fill(TEST_PASSWORD);
    await form.getByRole('checkbox').check();
    await form.getByRole('button', { name: T['agreements.signSubmit'] }).click();
  }

  it('the institution head signs from the e-mailed link', async () => {
    const link = await linkMailedTo(world.headEmail);
    await signIn(page, stack.baseUrl, world.headEmail, TEST_PASSWORD);
    await page.goto(link);
    await signOpenedAgreement();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['agreements.signed']!, { status: T['agreements.status.awaiting_dc_head']! }) })
      .waitFor();
  });

  it('the data-center head gets the next e-mail, signs from its link, and the agreement is in force', async () => {
    const link = await linkMailedTo(world.dcHeadEmail);
    await signIn(page, stack.baseUrl, world.dcHeadEmail, TEST_PASSWORD);
    await page.goto(link);
    await signOpenedAgreement();
    await page
      .getByRole('status')
      .filter({ hasText: fill(T['agreements.signed']!, { status: T['agreements.status.in_force']! }) })
      .waitFor();
    const row = await stack.db.selectFrom('agreements').select('status').where('id', '=', agreement.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('in_force');
  });
});
