import type { AddressInfo } from 'node:net';
import { insertOutbox } from '@betang/db';
import { createTestDatabase, type TestDatabase, testLogDestination, testLogOptions } from '@betang/testkit';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { sendEmailsOnce } from './email-sender';
import { createMailTransport } from './mail-transport';

type Received = { from: string; to: string[]; raw: string };

/** A real SMTP server on 127.0.0.1 that records what it receives (and can refuse recipients). */
async function startSmtp(refuse: () => boolean): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse()) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 450 }));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const message = (reason: string, locale: 'id' | 'en' = 'id') => ({
  to: ['budi@kalteng.go.id', 'pic@kalteng.go.id'],
  locale,
  reason,
  subject: { id: 'VPS sipd-web-01 siap', en: 'VPS sipd-web-01 is ready' },
  text: { id: 'Alamat: 10.120.0.21. Masuk dengan: ssh admin@10.120.0.21', en: 'Address: 10.120.0.21. Log in with: ssh admin@10.120.0.21' },
});

describe('sendEmailsOnce', () => {
  let t: TestDatabase;
  let refusing = false;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const logger = pino(testLogOptions('email-sender'), testLogDestination('email-sender'));

  beforeAll(async () => {
    t = await createTestDatabase();
    smtp = await startSmtp(() => refusing);
  });
  afterAll(async () => {
    await smtp.close();
    await t.drop();
  });

  it('should deliver outbox e-mails over SMTP, in the recipient language first, and mark them sent', async () => {
    await insertOutbox(t.db, { topic: 'email', payload: message('vps:1:ready'), dedupKey: 'email:vps:1:ready' });
    await insertOutbox(t.db, { topic: 'email', payload: message('vps:2:ready', 'en'), dedupKey: 'email:vps:2:ready' });
    const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
    expect(await sendEmailsOnce(t.db, transport, 'Betang <betang@kalteng.go.id>', logger)).toBe(2);
    transport.close();
    expect(smtp.received).toHaveLength(2);
    const [id, en] = smtp.received;
    expect(id!.to).toEqual(['budi@kalteng.go.id', 'pic@kalteng.go.id']);
    expect(id!.from).toBe('betang@kalteng.go.id');
    expect(id!.raw).toMatch(/Subject: VPS sipd-web-01 siap/);
    expect(id!.raw.indexOf('Alamat: 10.120.0.21')).toBeLessThan(id!.raw.indexOf('Address: 10.120.0.21'));
    expect(en!.raw).toMatch(/Subject: VPS sipd-web-01 is ready/);
    expect(en!.raw.indexOf('Address: 10.120.0.21')).toBeLessThan(en!.raw.indexOf('Alamat: 10.120.0.21'));
    const pending = await t.db.selectFrom('outbox').select('id').where('topic', '=', 'email').where('processedAt', 'is', null).execute();
    expect(pending).toHaveLength(0);
  });

  it('should blank the stored text of a message that carried a single-use secret once it is sent, and only then', async () => {
    const link = 'https://betang.kalteng.go.id/atur-ulang-sandi#token=RAHASIA-sekali-pakai';
    const secret = { ...message('password_reset:1'), text: { id: `Tautan: ${link}`, en: `Link: ${link}` }, secret: true };
    await insertOutbox(t.db, { topic: 'email', payload: secret, dedupKey: 'email:password_reset:1' });
    await insertOutbox(t.db, { topic: 'email', payload: message('vps:9:ready'), dedupKey: 'email:vps:9:ready' });
    const stored = () =>
      t.db
        .selectFrom('outbox')
        .select(['dedupKey', 'payload'])
        .where('dedupKey', 'in', ['email:password_reset:1', 'email:vps:9:ready'])
        .orderBy('dedupKey')
        .execute();
    expect(JSON.stringify(await stored())).toContain('RAHASIA-sekali-pakai');
    const before = smtp.received.length;
    const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
    expect(await sendEmailsOnce(t.db, transport, 'Betang <betang@kalteng.go.id>', logger)).toBe(2);
    transport.close();
    // the recipient got the link; the database keeps no copy of it, and ordinary messages stay as written
    expect(smtp.received.slice(before).some((m) => m.raw.replace(/=\r?\n/g, '').includes('RAHASIA-sekali-pakai'))).toBe(true);
    const [reset, ready] = await stored();
    expect(JSON.stringify(reset!.payload)).not.toContain('RAHASIA');
    expect(reset!.payload).toMatchObject({ reason: 'password_reset:1', text: { id: '[isi dihapus setelah terkirim]' } });
    expect(JSON.stringify(ready!.payload)).toContain('Alamat: 10.120.0.21');
  });

  it('should write a notification’s link as a full address under PUBLIC_URL, in both languages', async () => {
    await insertOutbox(t.db, {
      topic: 'email',
      payload: { ...message('agreement:9:sign_turn'), link: '/agreements/9f0c' },
      dedupKey: 'email:agreement:9:sign_turn',
    });
    const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
    const before = smtp.received.length;
    await sendEmailsOnce(t.db, transport, 'betang@kalteng.go.id', logger, 10, 'https://betang.kalteng.go.id/');
    transport.close();
    const mail = smtp.received[before]!;
    expect(mail.raw).toContain('Buka: https://betang.kalteng.go.id/agreements/9f0c');
    expect(mail.raw).toContain('Open: https://betang.kalteng.go.id/agreements/9f0c');
  });

  it('should keep an e-mail the server refuses and deliver it on a later round', async () => {
    await insertOutbox(t.db, { topic: 'email', payload: message('vps:3:ready'), dedupKey: 'email:vps:3:ready' });
    const transport = createMailTransport({ SMTP_URL: smtp.url }, () => undefined);
    refusing = true;
    const before = smtp.received.length;
    await sendEmailsOnce(t.db, transport, 'betang@kalteng.go.id', logger);
    const row = await t.db
      .selectFrom('outbox')
      .select(['attempts', 'processedAt', 'lastError'])
      .where('dedupKey', '=', 'email:vps:3:ready')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, processedAt: null });
    expect(row.lastError).toMatch(/mailbox unavailable/);
    refusing = false;
    await t.db
      .updateTable('outbox')
      .set({ availableAt: new Date(Date.now() - 1) })
      .where('dedupKey', '=', 'email:vps:3:ready')
      .execute();
    await sendEmailsOnce(t.db, transport, 'betang@kalteng.go.id', logger);
    transport.close();
    expect(smtp.received.length).toBe(before + 1);
  });

  it('should park a malformed message instead of retrying it', async () => {
    await insertOutbox(t.db, { topic: 'email', payload: { to: 'not-a-list' }, dedupKey: 'email:bad' });
    const transport = createMailTransport({}, () => undefined);
    await sendEmailsOnce(t.db, transport, 'betang@kalteng.go.id', logger);
    const row = await t.db
      .selectFrom('outbox')
      .select(['processedAt', 'lastError'])
      .where('dedupKey', '=', 'email:bad')
      .executeTakeFirstOrThrow();
    expect(row.processedAt).not.toBeNull();
    expect(row.lastError).toMatch(/invalid e-mail message/);
  });
});
