import { readGuestFile, runAsRoot, runScriptAsRoot, writeGuestFile } from '../guest-commands';
import { GuestError, GuestErrorCode } from '../guest-errors';
import type { GuestSpec } from '../guest-spec.schema';
import { checkResult, type GuestStep } from './guest-step';

export const APT_PROXY_FILE = '/etc/apt/apt.conf.d/01betang-proxy';

/** Betang's apt proxy file for a proxy URL (deterministic, so equal content means nothing to do). */
export function aptProxyContent(proxy: string): string {
  return `// Managed by Betang: the data center's package proxy.\nAcquire::http::Proxy "${proxy}";\nAcquire::https::Proxy "${proxy}";\n`;
}

/** The Debian archive URI the mirror replaces (deb822 `URIs:` and one-line `deb` sources alike). */
const DEBIAN_ARCHIVE_PATTERN = 'https?://deb\\.debian\\.org/debian/?([[:space:]]|$)';

/** True when a mirror URL is the Debian archive itself (rewriting to it would never converge). */
function isDebianArchive(url: string): boolean {
  return /^https?:\/\/deb\.debian\.org\/debian\/?$/.test(url);
}

// Lists the source files that still name the Debian archive ($1 = ERE).
const MIRROR_FILES_SCRIPT = [
  'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do',
  '  if [ -f "$f" ] && grep -qE -- "$1" "$f"; then echo "$f"; fi',
  'done',
  'exit 0',
].join('\n');

// Points those files at the mirror ($1 = ERE, $2 = mirror URL, the rest = files). The URL is
// validated (ZAptUrl) to hold no character that sed's replacement or the shell would interpret.
const MIRROR_APPLY_SCRIPT = [
  'set -eu',
  'pattern=$1; mirror=$2; shift 2',
  'for f in "$@"; do sed -i -E "s#$pattern#$mirror\\1#g" -- "$f"; done',
].join('\n');

// apt-daily may hold the dpkg/lists locks right after first boot: wait for them instead of failing.
const LOCK_WAIT = '-o DPkg::Lock::Timeout=120';

// `apt-get update` exits 0 even when a source could not be fetched (bookworm's apt 2.6 only
// warns): its output is checked for failed fetches, so an unreachable mirror or proxy is an error
// here instead of an upgrade that silently finds nothing ($1 = seconds).
const UPDATE_LINES = [
  'export DEBIAN_FRONTEND=noninteractive',
  `out=$(timeout "$1" apt-get -q ${LOCK_WAIT} update 2>&1) || { code=$?; printf '%s\\n' "$out" | tail -n 5 >&2; exit "$code"; }`,
  `if printf '%s\\n' "$out" | grep -qE '^(Err:|E: |W: Failed to fetch|W: Some index files failed)'; then printf '%s\\n' "$out" | grep -E '^(Err:|E: |W: )' | tail -n 5 >&2; exit 100; fi`,
];

// Refreshes the package lists and counts what an upgrade would install.
const UPGRADABLE_SCRIPT = [...UPDATE_LINES, 'apt-get -s -q upgrade | grep -c "^Inst " || true'].join('\n');

// The upgrade itself: non-interactive, keeps changed config files, bounded ($1 = seconds).
// Prints apt's summary line; on failure the last lines of its output go to stderr.
const UPGRADE_SCRIPT = [
  ...UPDATE_LINES,
  `out=$(timeout "$1" apt-get -q -y ${LOCK_WAIT} -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold upgrade 2>&1) || { code=$?; printf '%s\\n' "$out" | tail -n 5 >&2; exit "$code"; }`,
  `printf '%s\\n' "$out" | grep -E "upgraded, [0-9]+ newly installed" || true`,
].join('\n');

type Observed = { proxyFile: string | null; mirrorFiles: string[]; upgradable: number | null };

function packagesError(action: string, spec: GuestSpec, error: unknown): GuestError {
  const details = (error as { details?: { exitCode?: number | null; stderr?: string } }).details ?? {};
  const timedOut = details.exitCode === 124;
  const tail = (details.stderr ?? String(error)).trim().split('\n').slice(-3).join(' ').slice(0, 600);
  const via = spec.aptProxy
    ? `proxy ${spec.aptProxy}`
    : spec.aptMirror
      ? `mirror ${spec.aptMirror}`
      : 'tanpa proxy/mirror / no proxy or mirror';
  return new GuestError(
    GuestErrorCode.PackagesFailed,
    timedOut
      ? {
          id: `${action} di guest tidak selesai dalam ${spec.packageUpgradeTimeoutSec} detik (${via}).`,
          en: `${action} on the guest did not finish within ${spec.packageUpgradeTimeoutSec} seconds (${via}).`,
        }
      : { id: `${action} di guest gagal (${via}): ${tail}`, en: `${action} on the guest failed (${via}): ${tail}` },
    true,
    { exitCode: details.exitCode ?? null, stderr: tail },
  );
}

/**
 * Packages: apt's proxy (GUEST_APT_PROXY) and mirror (GUEST_APT_MIRROR) as the data center
 * sets them, then, when the spec asks for it, a bounded non-interactive `apt-get upgrade`. The
 * check refreshes the package lists (only once the proxy/mirror are right, so it never hits a
 * source the guest cannot reach) and counts the upgradable packages: a guest that is up to date
 * reports nothing to change, so a second run changes nothing. Failures and timeouts of apt are
 * GuestError(PackagesFailed), retryable (a mirror or proxy hiccup).
 */
export const packagesStep: GuestStep<Observed> = {
  key: 'packages',
  async check(shell, spec) {
    const [proxyFile, mirror] = await Promise.all([
      readGuestFile(shell, APT_PROXY_FILE),
      spec.aptMirror && !isDebianArchive(spec.aptMirror)
        ? runScriptAsRoot(shell, MIRROR_FILES_SCRIPT, [DEBIAN_ARCHIVE_PATTERN])
        : undefined,
    ]);
    const mirrorFiles = (mirror?.stdout ?? '').split('\n').filter(Boolean);
    const wantProxy = spec.aptProxy ? aptProxyContent(spec.aptProxy) : null;
    const diff: string[] = [];
    if (proxyFile !== wantProxy) diff.push(spec.aptProxy ? `${APT_PROXY_FILE}: proxy ${spec.aptProxy}` : `${APT_PROXY_FILE}: remove`);
    for (const f of mirrorFiles) diff.push(`${f}: mirror ${spec.aptMirror}`);
    let upgradable: number | null = null;
    if (spec.packageUpgrade) {
      if (diff.length > 0) diff.push('apt-get upgrade (after the sources are set)');
      else {
        const r = await runScriptAsRoot(shell, UPGRADABLE_SCRIPT, [String(spec.packageUpgradeTimeoutSec)], {
          timeoutMs: (spec.packageUpgradeTimeoutSec + 30) * 1000,
        }).catch((e: unknown) => {
          throw packagesError('apt-get update', spec, e);
        });
        upgradable = Number(r.stdout.trim()) || 0;
        if (upgradable > 0) diff.push(`apt-get upgrade: ${upgradable} package(s)`);
      }
    }
    return checkResult({ proxyFile, mirrorFiles, upgradable }, diff, spec.packageUpgrade ? undefined : ['package upgrade not requested']);
  },
  async apply(shell, spec, observed) {
    const changes: string[] = [];
    const ops: Promise<unknown>[] = [];
    const wantProxy = spec.aptProxy ? aptProxyContent(spec.aptProxy) : null;
    if (observed.proxyFile !== wantProxy) {
      if (wantProxy) ops.push(writeGuestFile(shell, { path: APT_PROXY_FILE, content: wantProxy, mode: '644' }));
      else ops.push(runAsRoot(shell, ['rm', '-f', '--', APT_PROXY_FILE]));
      changes.push(wantProxy ? `${APT_PROXY_FILE}: proxy ${spec.aptProxy}` : `${APT_PROXY_FILE}: removed`);
    }
    if (spec.aptMirror && observed.mirrorFiles.length > 0) {
      ops.push(runScriptAsRoot(shell, MIRROR_APPLY_SCRIPT, [DEBIAN_ARCHIVE_PATTERN, spec.aptMirror, ...observed.mirrorFiles]));
      changes.push(`mirror ${spec.aptMirror}: ${observed.mirrorFiles.join(', ')}`);
    }
    await Promise.all(ops);
    if (spec.packageUpgrade && (observed.upgradable === null || observed.upgradable > 0)) {
      const r = await runScriptAsRoot(shell, UPGRADE_SCRIPT, [String(spec.packageUpgradeTimeoutSec)], {
        timeoutMs: (2 * spec.packageUpgradeTimeoutSec + 30) * 1000,
      }).catch((e: unknown) => {
        throw packagesError('apt-get upgrade', spec, e);
      });
      const summary = /(\d+) upgraded, (\d+) newly installed/.exec(r.stdout);
      changes.push(summary ? `apt-get upgrade: ${summary[1]} upgraded, ${summary[2]} newly installed` : 'apt-get upgrade');
    }
    return changes;
  },
};
