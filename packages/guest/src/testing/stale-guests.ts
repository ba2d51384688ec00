import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GUEST_DIR_PARENT = '/var/tmp';
export const GUEST_DIR_PREFIX = 'betang-guest-';
const OWNER_FILE = 'owner.json';

type Owner = { ownerPid: number; pids: number[] };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cmdlineMentions(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Records which test process owns a guest dir and which helper processes run for it. */
export function recordOwner(dir: string, pids: number[]): void {
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ ownerPid: process.pid, pids } satisfies Owner));
}

/**
 * Removes guests left behind by a test process that died without stop() (crash, SIGKILL):
 * their nspawn/slirp4netns processes are stopped — only if their command line still names that
 * directory, so a recycled PID is never touched — and the directory is deleted. Guests whose
 * owner is alive (another test file running now) are left alone.
 */
export function reapStaleGuests(): void {
  for (const name of readdirSync(GUEST_DIR_PARENT)) {
    if (!name.startsWith(GUEST_DIR_PREFIX)) continue;
    const dir = join(GUEST_DIR_PARENT, name);
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
    } catch {
      continue; // still being set up by a live process, or not ours
    }
    if (isAlive(owner.ownerPid)) continue;
    const mine = owner.pids.filter((pid) => isAlive(pid) && cmdlineMentions(pid, dir));
    for (const pid of mine) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && mine.some(isAlive); i++) sleepSync(100);
    for (const pid of mine) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
