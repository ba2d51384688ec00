import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(target).reduce(
    (max, name) => (name === 'node_modules' || name === 'dist' ? max : Math.max(max, newestMtime(path.join(target, name)))),
    stat.mtimeMs,
  );
}

/**
 * Makes sure the web UI is built: runs `vite build` for apps/web when its dist is missing or older
 * than its sources (or core's contracts, which it bundles). Returns the dist directory.
 * Throws with the build's output when the build fails.
 */
export function ensureWebBuild(root: string, log: (text: string) => void): string {
  const web = path.join(root, 'apps', 'web');
  const dist = path.join(web, 'dist', 'public'); // vite.config.mts outDir
  const built = newestMtime(path.join(dist, 'index.html'));
  const sources = Math.max(
    ...['src', 'index.html', 'vite.config.mts', 'public'].map((p) => newestMtime(path.join(web, p))),
    newestMtime(path.join(root, 'packages', 'core', 'src')),
  );
  if (built > 0 && built >= sources) return dist;
  log('Membangun antarmuka web (±20 detik) / building the web UI (about 20 s)…');
  const result = spawnSync('npm', ['run', 'build', '-w', 'apps/web'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build gagal / failed:\n${result.stdout}\n${result.stderr}`);
  return dist;
}
