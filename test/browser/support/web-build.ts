import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const WEB = path.join(REPO, 'apps/web');

/** Where `vite build` puts the UI (the API serves it via WEB_DIST_DIR). */
export const WEB_DIST_DIR = path.join(WEB, 'dist/public');

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce((newest, name) => Math.max(newest, newestMtime(path.join(target, name))), stat.mtimeMs);
}

function isStale(): boolean {
  const built = path.join(WEB_DIST_DIR, 'index.html');
  if (!existsSync(built)) return true;
  const inputs = [
    path.join(WEB, 'src'),
    path.join(WEB, 'index.html'),
    path.join(WEB, 'vite.config.mts'),
    path.join(REPO, 'packages/core/src'),
  ];
  return Math.max(...inputs.map(newestMtime)) > statSync(built).mtimeMs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Makes sure apps/web/dist/public holds a build of the current sources: builds when it is missing
 * or older than any source (web or core contracts). Test files run in parallel workers, so the
 * check-and-build runs under a lock directory; a lock left by a crashed run expires after 3 min.
 */
export async function ensureWebBuild(): Promise<string> {
  const lock = path.join(os.tmpdir(), 'betang-web-build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    if (isStale()) {
      const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [WEB] })), 'bin/vite.js');
      // jest sets NODE_ENV=test, which would make Vite bundle React's development build
      execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
        cwd: WEB,
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'production' },
      });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return WEB_DIST_DIR;
}
