import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createApp } from '@betang/api';
import { Role } from '@betang/core';
import { parseConfig, ZApiEnv } from '@betang/config';
import { createPdfVerifierPool, type PdfVerifier } from '@betang/documents';
import {
  createTestDatabase,
  freePort,
  makeUser,
  TEST_MASTER_KEY,
  TEST_PASSWORD,
  TEST_SIGNING_MASTER_SECRET,
  testEncrypted,
  testLogDestination,
  testLogOptions,
  type TestDatabase,
} from '@betang/testkit';
import { pino } from 'pino';
import { sendEmailsOnce } from '../../apps/worker/src/notifications/email-sender';
import { createMailTransport } from '../../apps/worker/src/notifications/mail-transport';
import { bodyOf, startSmtp } from '../support/smtp-server';

/**
 * The forgotten-password e-mail end to end: the API writes it to the outbox, the worker's sender
 * delivers it over SMTP to a real (in-process) SMTP server, and the link read out of the delivered
 * message — after MIME decoding, as a mail client would — resets the password on the API.
 */
jest.setTimeout(120_000);

describe('forgotten password e-mail over SMTP', () => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: Server;
  let baseUrl: string;
  let pdfVerifier: PdfVerifier;

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startSmtp();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // Passed in so it can be closed (createApp would start one of its own otherwise).
    pdfVerifier = createPdfVerifierPool({ threads: 1 });
    const app = createApp({
      db: database.db,
      pdfVerifier,
      logger: pino(testLogOptions('reset-e2e-api'), testLogDestination('reset-e2e-api')),
      config: parseConfig(ZApiEnv, {
        DATABASE_URL: database.url,
        NODE_ENV: 'test',
        PUBLIC_URL: baseUrl,
        BETANG_MASTER_KEY: TEST_MASTER_KEY,
        SIGNING_MASTER_SECRET: testEncrypted('SIGNING_MASTER_SECRET', TEST_SIGNING_MASTER_SECRET),
        TOTP_REQUIRED_ROLES: '',
      }),
    });
    server = createServer(app);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pdfVerifier?.close();
    await smtp?.close();
    await database?.drop();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}/api/v1${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('should deliver a link to the public reset page whose secret sets the new password, once', async () => {
    const user = await makeUser(database.db, { roles: [Role.Auditor], name: 'Yohana Sari' });
    expect((await post('/auth/password/forgot', { email: user.email })).status).toBe(202);

    const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
    const logger = pino(testLogOptions('reset-e2e-worker'), testLogDestination('reset-e2e-worker'));
    expect(await sendEmailsOnce(database.db, transport, 'Betang <betang@kalteng.go.id>', logger)).toBe(1);
    transport.close();

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual([user.email]);
    const text = bodyOf(mail!.raw);
    expect(text).toMatch(/Halo Yohana Sari/);
    expect(text).toMatch(/Hello Yohana Sari/);
    const links = [...text.matchAll(/(http:\/\/127\.0\.0\.1:\d+\/reset-password#token=([A-Za-z0-9_-]{43}))/g)];
    // The same link in the Indonesian part and in the English part.
    expect(links).toHaveLength(2);
    expect(links[0]![1]).toBe(links[1]![1]);
    const link = new URL(links[0]![1]!);
    expect(link.origin).toBe(baseUrl);
    const token = new URLSearchParams(link.hash.slice(1)).get('token')!;

    const newPassword = 'Hutan-Tropis-Lebat-2031';
    expect((await post('/auth/password/reset', { token, password: newPassword })).status).toBe(204);
    expect((await post('/auth/password/reset', { token, password: 'Pohon-Ulin-Tua-Sekali-42' })).status).toBe(409);
    expect((await post('/auth/login', { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
    expect((await post('/auth/login', { email: user.email, password: newPassword })).status).toBe(200);
  });
});
