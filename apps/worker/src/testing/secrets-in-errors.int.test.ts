import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loggerOptions } from '@betang/config';
import { createDatabase } from '@betang/db';
import { createPveClient } from '@betang/proxmox';
import { startSimulator } from '@betang/pve-simulator';
import { TEST_PVE_TOKEN_SECRET, TEST_SMTP_PASSWORD, TEST_SIGNING_MASTER_SECRET } from '@betang/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { createMailTransport } from '../notifications/mail-transport';

/**
 * Errors of the clients that hold secrets (PVE token, SMTP password, database password)
 * carry no secret, and the production logger redacts secret-bearing fields — checked on real
 * errors from real servers on 127.0.0.1, logged through the production pino options.
 */
function memoryLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
  return { logger: pino(loggerOptions({ LOG_LEVEL: 'debug', LOG_PRETTY: false }, 'secrets-test'), sink), text: () => lines.join('') };
}

/** A loopback port nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

function everything(error: unknown): string {
  const seen = new Set<unknown>();
  const walk = (value: unknown): string => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return String(value);
    seen.add(value);
    const own = Object.getOwnPropertyNames(value).map((k) => `${k}=${walk((value as Record<string, unknown>)[k])}`);
    return `${value instanceof Error ? `${value.message}\n${value.stack}` : ''} ${own.join(' ')}`;
  };
  return walk(error);
}

jest.setTimeout(60_000); // starts a simulator, an SMTP server and pg pools; slow on a loaded machine

describe('secrets never in client errors nor in log lines', () => {
  it('a PVE call refused for its token, and one that cannot connect, name neither the token secret nor the header', async () => {
    const sim = await startSimulator({ timeFactor: 0.01, authFailureDelayMs: 1 });
    try {
      const wrong = createPveClient({
        baseUrl: sim.url,
        tokenId: sim.tokenId,
        tokenSecret: '00000000-1111-2222-3333-444444444444',
        ca: sim.caPem,
        timeoutMs: 5_000,
      });
      const refused = await caught(() => wrong.request('GET', '/version'));
      expect(refused).toMatchObject({ status: 401 });
      await wrong.close();
      const down = createPveClient({
        baseUrl: `https://127.0.0.1:${await closedPort()}`,
        tokenId: sim.tokenId,
        tokenSecret: TEST_PVE_TOKEN_SECRET,
        ca: sim.caPem,
        timeoutMs: 2_000,
        getRetries: 0,
      });
      const unreachable = await caught(() => down.request('GET', '/version'));
      await down.close();
      const { logger, text } = memoryLogger();
      logger.error({ err: refused }, 'pve refused');
      logger.error({ err: unreachable }, 'pve unreachable');
      logger.debug(
        {
          tokenId: sim.tokenId,
          headers: { Authorization: `PVEAPIToken=${sim.tokenId}=${TEST_PVE_TOKEN_SECRET}` },
          tokenSecret: TEST_PVE_TOKEN_SECRET,
        },
        'request',
      );
      for (const blob of [everything(refused), everything(unreachable), text()]) {
        expect(blob).not.toContain(TEST_PVE_TOKEN_SECRET);
        expect(blob).not.toContain('00000000-1111-2222-3333-444444444444');
        expect(blob).not.toMatch(/PVEAPIToken=/);
      }
      expect(text()).toContain(`"tokenId":"${sim.tokenId}"`); // the token id is not secret and stays readable
    } finally {
      await sim.close();
    }
  });

  it('an SMTP login refused, and an SMTP server that is down, do not reveal the password', async () => {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    try {
      const url = (p: number) => `smtp://betang%40kalteng.go.id:${encodeURIComponent(TEST_SMTP_PASSWORD)}@127.0.0.1:${p}`;
      const mail = { from: 'betang@kalteng.go.id', to: ['a@b.go.id'], subject: 's', text: 't', messageId: '<m@betang>' };
      const refusedTransport = createMailTransport({ SMTP_URL: url(port) }, () => undefined);
      const refused = await caught(() => refusedTransport.send(mail));
      refusedTransport.close();
      const downTransport = createMailTransport({ SMTP_URL: url(await closedPort()) }, () => undefined);
      const down = await caught(() => downTransport.send(mail));
      expect(String((down as Error).message)).toMatch(/ECONNREFUSED|connect/);
      downTransport.close();
      const { logger, text } = memoryLogger();
      logger.warn({ err: refused }, 'smtp refused');
      logger.warn({ err: down }, 'smtp down');
      logger.info({ config: { SMTP_URL: url(port) }, auth: { user: 'betang', pass: TEST_SMTP_PASSWORD } }, 'mail config');
      for (const blob of [everything(refused), everything(down), text()]) {
        expect(blob).not.toContain(TEST_SMTP_PASSWORD);
        expect(blob).not.toContain(encodeURIComponent(TEST_SMTP_PASSWORD));
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a database that cannot be reached does not reveal the password of its URL', async () => {
    const password = 'Sandi-DB-Uji-2026';
    const db = createDatabase({ connectionString: `postgres://betang:${password}@127.0.0.1:1/betang`, poolMax: 1 });
    const error = await caught(() => sql`select 1`.execute(db));
    await db.destroy();
    const { logger, text } = memoryLogger();
    logger.error({ err: error }, 'db down');
    logger.info(
      {
        config: { DATABASE_URL: 'postgres://betang:' + password + '@h/d', SIGNING_MASTER_SECRET: TEST_SIGNING_MASTER_SECRET },
        connectionString: `postgres://u:${password}@h/d`,
      },
      'config',
    );
    for (const blob of [everything(error), text()]) {
      expect(blob).not.toContain(password);
      expect(blob).not.toContain(TEST_SIGNING_MASTER_SECRET);
    }
  });
});
