/*
 * Child processes of the cross-process suites (e2e, chaos, browser, bench): TypeScript entries run
 * exactly as production runs them (`node --import tsx <entry>`: one PID, so killing it kills the
 * process), their output kept for failure reports, each stopped by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { captureChildOutput } from '../test-logs';

/** The repository root (the cwd of every child, so relative paths and tsx resolve as in production). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** A started child with the last 20 kB of its stdout and stderr. */
export type TsChild = ChildProcess & { logs: () => string };

export type SpawnTsOptions = {
  /** Node flags before `--import tsx` (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Name of its log file in the test log directory (default: the app folder of `entry`). */
  logName?: string;
  /** Start from `env` alone instead of this process's environment plus `env`. */
  inheritEnv?: boolean;
  /** Copy the output into log files (default); off for a child whose output carries credentials. */
  logToFiles?: boolean;
};

/**
 * Starts a Node child running a TypeScript entry with `env` over this process's environment. Its
 * output is kept (last 20 kB, `logs()`) and, unless `logToFiles` is false, copied to the test log
 * directory and to CHAOS_LOG_DIR when set (the chaos suite keeps every process's log for the report).
 */
export function spawnTs(entry: string, env: NodeJS.ProcessEnv, options: SpawnTsOptions = {}): TsChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: options.inheritEnv === false ? env : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = options.logName ?? path.basename(path.dirname(path.dirname(entry)));
  const toFiles = options.logToFiles !== false;
  if (toFiles) captureChildOutput(child, name);
  let logs = '';
  const file = toFiles && process.env.CHAOS_LOG_DIR ? path.join(process.env.CHAOS_LOG_DIR, `${name}-${child.pid}.log`) : undefined;
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

/** Kills a child (SIGKILL unless told otherwise) and waits until it is gone; a no-op for one already gone. */
export async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!isAlive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/**
 * Polls `url` until it answers 2xx. Throws with the child's output when the child exits first or
 * the time runs out, so a process that refused its settings fails the test with the reason.
 */
export async function waitHttpOk(url: string, child: TsChild, timeoutMs = 60_000): Promise<void> {
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

/**
 * Starts a child that announces itself with one JSON line on stdout (simulators print their URL,
 * token and CA file) and resolves with that line's fields and the child. Rejects with its stderr
 * when it exits before printing the line.
 */
export function startAnnouncingChild<T extends object>(
  entry: string,
  env: NodeJS.ProcessEnv,
  options: SpawnTsOptions = {},
): Promise<T & { child: TsChild }> {
  const child = spawnTs(entry, env, options);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (line) resolve({ ...(JSON.parse(line) as T), child });
    });
    child.once('exit', (code) => reject(new Error(`${path.basename(entry)} exited ${code}:\n${child.logs()}`)));
  });
}

/** Asks a child to stop (SIGTERM) and kills it (SIGKILL) if it has not exited after `graceMs`; resolves once it is gone. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!isAlive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
  clearTimeout(timer);
  if (late) await killChild(child);
}
