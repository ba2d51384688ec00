import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '@betang/core';
import { notify } from '@betang/db';
import { makeUser, testLogDestination, testLogOptions, TEST_PASSWORD } from '@betang/testkit';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { deliverWebhooksOnce } from '../../apps/worker/src/notifications/webhook-sender';
import { verifyWebhook } from '../../apps/worker/src/notifications/webhook-signature';
import { seriousViolations } from './support/axe';
import { closeCheckedPage, launchBrowser, openCleanPage, signIn, TEXT, type Browser } from './support/browser';
import { startWebStack, type WebStack } from './support/web-stack';

jest.setTimeout(180_000);

const T = TEXT.id;
const SECRET = 'whsec_rahasia-uji-yang-cukup-panjang-0002';
const text = (s: string) => ({ id: `${s} (id)`, en: `${s} (en)` });

describe('webhook "retry now" from the delivery log (real Chromium, real loopback receiver)', () => {
  let stack: WebStack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let server: Server;
  let receiverUrl: string;
  const received: { body: string; verified: boolean }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ body, verified: verifyWebhook(SECRET, body, String(req.headers['betang-signature'] ?? '')) });
        res.end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    stack = await startWebStack();
    browser = await launchBrowser();
    browser.context.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  beforeEach(async () => ({ page, problems } = await openCleanPage(browser)));
  afterEach(() => closeCheckedPage(page, problems));

  it('should let an admin retry a failed delivery now, deliver it to the receiver, and offer no retry once delivered', async () => {
    const db = stack.db;
    const staff = await makeUser(db, { roles: [Role.Operator] });
    const endpoint = await db
      .insertInto('webhookEndpoints')
      .values({ name: 'Gerbang WhatsApp Uji', url: receiverUrl, institutionId: null, kinds: ['request.approved'], secret: SECRET })
      .returning('id')
      .executeTakeFirstOrThrow();
    await notify(db, {
      kind: 'request.approved',
      reason: 'uji:retry-now',
      recipients: [staff.id],
      institutionId: null,
      title: text('Disetujui'),
      body: text('isi'),
      link: '/vps-requests',
    });
    // Failed for good while the receiver was down (its log keeps the last error).
    await db
      .updateTable('webhookDeliveries')
      .set({ status: 'failed', attempts: 10, lastStatusCode: 503, lastError: 'HTTP 503' })
      .where('endpointId', '=', endpoint.id)
      .execute();

    const admin = await makeUser(db, { roles: [Role.Admin] });
    await signIn(page, stack.baseUrl, admin.email, TEST_PASSWORD);
    await page.goto(`${stack.baseUrl}/operator/webhooks`);
    const card = page.locator('.webhook-list li').filter({ hasText: 'Gerbang WhatsApp Uji' });
    await card.getByRole('button', { name: T['notifications.webhooks.log'] }).click();
    const row = card.locator('.delivery-log li').first();
    await row.getByText(/HTTP 503/).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);
    await row.getByRole('button', { name: T['webhooks.retry.button'] }).click();
    await page.getByRole('status').filter({ hasText: T['webhooks.retry.done']! }).waitFor();
    await row.getByText(T['notifications.webhooks.status.pending']!, { exact: false }).waitFor();
    const audit = await db
      .selectFrom('auditLog')
      .select(['actorUserId'])
      .where('action', '=', 'webhook.delivery_retried')
      .executeTakeFirstOrThrow();
    expect(audit.actorUserId).toBe(admin.id);

    // The worker's sender, on its next round, posts it to the receiver, signed.
    const logger = pino(testLogOptions('webhook-retry'), testLogDestination('webhook-retry'));
    expect(await deliverWebhooksOnce(db, logger)).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.verified).toBe(true);

    await page.reload();
    await card.getByRole('button', { name: T['notifications.webhooks.log'] }).click();
    await row.getByText(T['notifications.webhooks.status.delivered']!, { exact: false }).waitFor();
    expect(await row.getByRole('button', { name: T['webhooks.retry.button'] }).count()).toBe(0);
  });
});
