/*
 * Child processes of the chaos suite and the benchmarks: the simulator (cluster-sim.ts), the API
 * and workers exactly as production runs them (`node --import tsx apps/<app>/src/main.ts`, the
 * approach of test/worker/provision-kill.e2e.test.ts), each killed by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');

export type Sim = { url: string; tokenId: string; tokenSecret: string; caFile: string; child: ChildProcess };

/** Starts a Node child running a TypeScript entry; its output is kept (last 20 kB) for failure reports. */
export function spawnTs(entry: string, env: Record<string, string>, extraArgs: string[] = []): ChildProcess & { logs: () => string } {
  const child = spawn(process.execPath, [...extraArgs, '--import', 'tsx', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  const file = process.env.CHAOS_LOG_DIR ? path.join(process.env.CHAOS_LOG_DIR, `${path.basename(path.dirname(path.dirname(entry)))}-${child.pid}.log`) : undefined;
  const keep = (c: Buffer) => {
    logs = (logs + c.toString()).slice(-20_000);
    if (file) appendFileSync(file, c);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return Object.assign(child, { logs: () => logs });
}

/** True while the child has neither exited nor been killed by a signal. */
export function isAlive(child: ChildProcess | undefined): child is ChildProcess {
  return !!child && child.exitCode === null && child.signalCode === null;
}

/** Kills a child (SIGKILL unless told otherwise) and waits until it is gone. */
export async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!isAlive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** Starts the simulated cluster and resolves with its URL, token and CA file once it is listening. */
export function startSim(env: Record<string, string>): Promise<Sim> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'cluster-sim.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-5000)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (line) resolve({ ...(JSON.parse(line) as Omit<Sim, 'child'>), child });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${err}`)));
  });
}

/** Calls the simulator's admin API (`/_sim/...`) or this suite's counter (`/_chaos/...`). */
export function simCall<T>(sim: Sim, method: 'GET' | 'POST' | 'DELETE', pathname: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(pathname, sim.url), { method, ca: readFileSync(sim.caFile, 'utf8'), headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 400) return reject(new Error(`${method} ${pathname}: ${res.statusCode} ${text}`));
        resolve((JSON.parse(text) as { data: T }).data);
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Polls `url` until it answers 2xx. */
export async function waitHttpOk(url: string, child: ReturnType<typeof spawnTs>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited before ${url} answered:\n${child.logs()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.logs()}`);
}

/** The API process on 127.0.0.1:port against the given database (no operations listener: several run at once); resolves when /healthz answers. */
export async function startApi(env: { databaseUrl: string; port: number; redisUrl?: string; extra?: Record<string, string>; nodeArgs?: string[] }): Promise<ReturnType<typeof spawnTs>> {
  const child = spawnTs(
    path.join(ROOT, 'apps/api/src/main.ts'),
    {
      DATABASE_URL: env.databaseUrl, PORT: String(env.port), HOST: '127.0.0.1', API_OPS_PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'test', PUBLIC_URL: `http://127.0.0.1:${env.port}`,
      SIGNING_MASTER_SECRET: 'uji-rahasia-penandatanganan-chaos-0123456789abcdef', TOTP_REQUIRED_ROLES: '', ...(env.redisUrl ? { REDIS_URL: env.redisUrl } : {}), ...env.extra,
    },
    env.nodeArgs,
  );
  await waitHttpOk(`http://127.0.0.1:${env.port}/healthz`, child);
  return child;
}

/** A worker process (apps/worker/src/main.ts) with the given environment (no ops listener: several run at once). */
export function startWorker(env: Record<string, string>, nodeArgs: string[] = []): ReturnType<typeof spawnTs> {
  return spawnTs(path.join(ROOT, 'apps/worker/src/main.ts'), { WORKER_METRICS_PORT: '0', ...env }, nodeArgs);
}
