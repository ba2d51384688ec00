import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA and a leaf certificate for 127.0.0.1 signed by it (made with the openssl CLI). */
export type TestPki = { caPem: string; certPem: string; keyPem: string; otherCaPem: string };

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** Creates a throwaway PKI (two CAs, one leaf for IP 127.0.0.1) in a temp dir. Test-only. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'betang-pve-pki-'));
  try {
    const ca = (name: string): void =>
      openssl(
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.pem`,
          '-days',
          '2',
          '-subj',
          `/CN=${name}`,
        ],
        dir,
      );
    ca('ca');
    ca('other');
    openssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'leaf.key',
        '-out',
        'leaf.csr',
        '-subj',
        '/CN=pve1',
      ],
      dir,
    );
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'leaf.pem',
        '-days',
        '2',
        '-extfile',
        'ext.cnf',
      ],
      dir,
    );
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    return { caPem: read('ca.pem'), certPem: read('leaf.pem'), keyPem: read('leaf.key'), otherCaPem: read('other.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type RecordedRequest = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** Writes a PVE-style answer: exact content type, reason phrase, `{data}` envelope. */
export function pveReply(res: ServerResponse, status: number, body: unknown, reason?: string): void {
  res.statusCode = status;
  if (reason !== undefined) res.statusMessage = reason;
  res.setHeader('Content-Type', 'application/json;charset=UTF-8');
  res.end(body === undefined ? '' : JSON.stringify(body));
}

export type FixtureServer = {
  url: string;
  requests: RecordedRequest[];
  setHandler(h: Handler): void;
  close(): Promise<void>;
};

/** An HTTPS server on 127.0.0.1 (random port) recording every request. */
export async function startFixture(pki: TestPki, handler: Handler): Promise<FixtureServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      current(rec, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    setHandler: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
