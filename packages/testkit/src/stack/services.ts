/*
 * Throwaway PostgreSQL 15 and Redis servers for the chaos suite and the benchmarks: each in its
 * own temp dir, on a free loopback port, so a test may kill and restart them without touching
 * the machine's own servers (127.0.0.1:5432 / :6379). Every process started here is stopped by
 * its PID in `stop()`.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PostgreSQL and initdb refuse to run as root: as root, run them as the `postgres` user. */
function pgUser(): Pick<SpawnOptions, 'uid' | 'gid'> {
  if (process.getuid?.() !== 0) return {};
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('running as root needs a `postgres` user for initdb/postgres');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

export type Service = {
  url: string;
  port: number;
  /** Kills the server abruptly (PostgreSQL: immediate shutdown = crash recovery on the next start). */
  kill(): Promise<void>;
  /** Starts it again on the same port (and, for PostgreSQL, the same data). */
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** A throwaway PostgreSQL 15 cluster (trust auth, loopback only, no fsync: it dies with the test). */
export async function startPostgres(label = 'chaos'): Promise<Service> {
  const dir = mkdtempSync(path.join(tmpdir(), `betang-${label}-pg-`));
  const data = path.join(dir, 'data');
  mkdirSync(data);
  const user = pgUser();
  if (user.uid !== undefined) {
    chownSync(dir, user.uid, user.gid!);
    chownSync(data, user.uid, user.gid!);
  }
  const init = spawnSync(
    path.join(PG_BIN, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
    { ...user, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    child = spawn(
      path.join(PG_BIN, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${dir}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=128MB',
      ],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-5000)));
    for (let i = 0; i < 200; i += 1) {
      const ready = spawnSync(path.join(PG_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
      if (ready.status === 0) return;
      if (child.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`PostgreSQL did not start: ${log}`);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async kill() {
      if (!child) return;
      const done = exited(child);
      child.kill('SIGQUIT'); // immediate shutdown: no checkpoint, every connection cut at once
      await done;
    },
    start,
    async stop() {
      if (child) {
        const done = exited(child);
        child.kill('SIGQUIT');
        await Promise.race([done, sleep(5000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throwaway Redis (loopback, no persistence: a restart loses every key, like a crashed cache). */
export async function startRedis(label = 'chaos'): Promise<Service> {
  const dir = mkdtempSync(path.join(tmpdir(), `betang-${label}-redis-`));
  const port = await freePort();
  const conf = path.join(dir, 'redis.conf');
  writeFileSync(conf, `bind 127.0.0.1\nport ${port}\nsave ""\nappendonly no\ndir ${dir}\nmaxmemory-policy noeviction\n`);
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', [conf], { stdio: 'ignore' });
    for (let i = 0; i < 100; i += 1) {
      if (spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await sleep(50);
    }
    throw new Error('Redis did not start');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (!child) return;
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
    },
    start,
    async stop() {
      if (child) {
        const done = exited(child);
        child.kill('SIGKILL');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
