import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_ROOTFS = '/var/cache/betang/debian-bookworm-rootfs.tar.zst';
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'build-debian-rootfs.sh');

/** Where the cached Debian rootfs tarball lives (env BETANG_GUEST_ROOTFS overrides). */
export function rootfsPath(): string {
  return process.env.BETANG_GUEST_ROOTFS || DEFAULT_ROOTFS;
}

/**
 * Returns the cached rootfs tarball, building it first with scripts/build-debian-rootfs.sh when
 * it is missing (about 2–3 minutes, needs root and the Debian mirror). Safe to call from several
 * test files at once: the script serialises builds with a lock and skips a finished tarball.
 */
export function ensureDebianRootfs(): string {
  const path = rootfsPath();
  if (existsSync(path) && statSync(path).size > 0) return path;
  process.stderr.write(`[guest tests] Debian rootfs ${path} missing: building it now with ${SCRIPT} (2–3 minutes)…\n`);
  const r = spawnSync('sh', [SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, BETANG_GUEST_ROOTFS: path } });
  if (r.status !== 0) throw new Error(`build-debian-rootfs.sh failed with status ${r.status}`);
  return path;
}
