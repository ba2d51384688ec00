import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeTreePrivate, preparePrivateHome } from './private-home';

/**
 * The embedded stack's home and database are this user's only: the home and everything in it is
 * 0700/0600 (an older, loose home included), and the database takes no connection from another
 * local user. The other user is `nobody`, run through setpriv (the tests run as root).
 */
jest.setTimeout(120_000);

const NOBODY = 65534;
const mode = (p: string) => lstatSync(p).mode & 0o777;

/** Every path under `root` whose mode gives anything to the group or to others. */
function looseEntries(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const s = lstatSync(p);
    if (s.isSymbolicLink()) return;
    if ((s.mode & 0o077) !== 0) out.push(`${path.relative(root, p) || '.'} ${(s.mode & 0o777).toString(8)}`);
    if (s.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  };
  walk(root);
  return out;
}

/**
 * Runs a tiny PostgreSQL client as `nobody` against what `url` names (a Unix socket directory in
 * `host=`, or TCP host:port): it sends a StartupMessage and prints CONNECTED when the server
 * answers with an Authentication message, or the error code it got.
 */
function connectAsNobody(url: string): string {
  const parsed = new URL(url);
  const socketDir = parsed.searchParams.get('host');
  const target = socketDir ? { path: path.join(socketDir, '.s.PGSQL.5432') } : { host: parsed.hostname, port: Number(parsed.port || 5432) };
  const client = `
    const net = require('node:net');
    const socket = net.connect(${JSON.stringify(target)});
    const params = Buffer.from('user\\0postgres\\0database\\0postgres\\0\\0');
    const head = Buffer.alloc(8); head.writeInt32BE(8 + params.length, 0); head.writeInt32BE(196608, 4);
    socket.on('connect', () => socket.write(Buffer.concat([head, params])));
    socket.on('data', (d) => { console.log(d[0] === 0x52 ? 'CONNECTED' : 'OTHER ' + d[0]); socket.destroy(); });
    socket.on('error', (e) => console.log('REFUSED ' + e.code));
    setTimeout(() => { console.log('TIMEOUT'); process.exit(0); }, 10000).unref();
  `;
  const run = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', client], {
    encoding: 'utf8',
    cwd: '/',
  });
  return `${run.stdout}${run.stderr}`.trim();
}

function readAsNobody(file: string): string {
  const run = spawnSync(
    'setpriv',
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      process.execPath,
      '-e',
      `try { require('node:fs').readFileSync(${JSON.stringify(file)}); console.log('READ'); } catch (e) { console.log('REFUSED ' + e.code); }`,
    ],
    { encoding: 'utf8', cwd: '/' },
  );
  return run.stdout.trim();
}

type Served = { url: string; socketPath: string; close(): Promise<number | null> };

/** Starts the embedded database in a child process (PGlite's ESM imports do not run inside jest). */
async function serveDatabase(dataDir: string, socketDir: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'testing', 'serve-embedded-database.ts'), dataDir, socketDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    void exited.then(() => resolve(undefined));
  });
  if (line === undefined) throw new Error(`embedded database did not start: ${err}`);
  const { url, socketPath } = JSON.parse(line) as { url: string; socketPath: string };
  return {
    url,
    socketPath,
    close: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('the embedded home', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'betang-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('should make an existing loose home private: directories 0700, files 0600, links left alone', () => {
    chmodSync(home, 0o777);
    mkdirSync(path.join(home, 'mail', 'old'), { recursive: true, mode: 0o777 });
    chmodSync(path.join(home, 'mail'), 0o755);
    writeFileSync(path.join(home, 'simulator-cluster.json'), '{}', { mode: 0o666 });
    chmodSync(path.join(home, 'simulator-cluster.json'), 0o666);
    writeFileSync(path.join(home, 'mail', 'old', 'a.eml'), 'x');
    chmodSync(path.join(home, 'mail', 'old', 'a.eml'), 0o644);
    const outside = mkdtempSync(path.join(tmpdir(), 'betang-outside-'));
    try {
      chmodSync(outside, 0o755);
      symlinkSync(outside, path.join(home, 'link'));

      preparePrivateHome(home);

      expect(looseEntries(home)).toEqual([]);
      expect(mode(home)).toBe(0o700);
      expect(mode(path.join(home, 'mail', 'old'))).toBe(0o700);
      expect(mode(path.join(home, 'simulator-cluster.json'))).toBe(0o600);
      expect(mode(outside)).toBe(0o755);
      expect(readAsNobody(path.join(home, 'simulator-cluster.json'))).toBe('REFUSED EACCES');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('should create a new home 0700 and leave a missing path alone', () => {
    const fresh = path.join(home, 'nested', '.betang');
    preparePrivateHome(fresh);
    expect(mode(fresh)).toBe(0o700);
    expect(() => makeTreePrivate(path.join(home, 'absent'))).not.toThrow();
  });

  it('should serve the database to this user only: no TCP, a socket in a 0700 directory, a private data directory', async () => {
    preparePrivateHome(home);
    const database = await serveDatabase(path.join(home, 'pgdata'), path.join(home, 'run'));
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        expect((await client.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      } finally {
        await client.end();
      }

      // Another local user reaches neither the database nor its files.
      expect(connectAsNobody(database.url)).toBe('REFUSED EACCES');
      expect(new URL(database.url).searchParams.get('host')).toBe(path.join(home, 'run'));
      expect(readAsNobody(path.join(home, 'pgdata', 'global', 'pg_control'))).toBe('REFUSED EACCES');
      expect(mode(path.join(home, 'run'))).toBe(0o700);
      expect(mode(path.join(home, 'pgdata'))).toBe(0o700);
      expect(looseEntries(path.join(home, 'pgdata'))).toEqual([]);
    } finally {
      expect(await database.close()).toBe(0);
    }
    expect(looseEntries(home)).toEqual([]);
  });

  it('should refuse to start a second database on a home whose socket still answers, and reuse a stale one', async () => {
    preparePrivateHome(home);
    const first = await serveDatabase(path.join(home, 'pgdata'), path.join(home, 'run'));
    try {
      await expect(serveDatabase(path.join(home, 'pgdata-2'), path.join(home, 'run'))).rejects.toThrow(/already in use/);
    } finally {
      expect(await first.close()).toBe(0);
    }
    // A socket file left behind by a killed launcher does not block the next start.
    writeFileSync(first.socketPath, '');
    const again = await serveDatabase(path.join(home, 'pgdata'), path.join(home, 'run'));
    expect(await again.close()).toBe(0);
  });
});
