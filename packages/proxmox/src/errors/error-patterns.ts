import type { PveErrorCode } from './pve-error-code';

type ErrorPattern = { code: PveErrorCode; transient: boolean; test: RegExp };

/**
 * Known PVE error texts (reason phrase, body `message` or task `exitstatus`), checked in
 * order; the first match wins. Sources: reference/proxmox-api.md §2, §4, §5, §6.
 * Transient texts come first so that e.g. `clone failed: can't lock file ... got timeout`
 * is a lock timeout, not a generic clone failure.
 */
const ERROR_PATTERNS: readonly ErrorPattern[] = [
  { code: 'no-quorum', transient: true, test: /cluster not ready - no quorum/i },
  { code: 'lock-timeout', transient: true, test: /can't lock file '[^']*' - got timeout/i },
  { code: 'lock-timeout', transient: true, test: /cfs-lock '[^']*' error: got lock request timeout/i },
  { code: 'lock-timeout', transient: true, test: /got lock request timeout/i },
  { code: 'vm-locked', transient: true, test: /\bVM is locked \([a-z-]+\)/i },
  { code: 'agent-not-running', transient: true, test: /QEMU guest agent is not running/i },
  { code: 'agent-timeout', transient: true, test: /qmp command '[^']*' failed - got timeout/i },
  { code: 'no-worker', transient: true, test: /got no worker upid - start worker failed/i },
  { code: 'task-killed', transient: true, test: /^unexpected status$/i },
  { code: 'not-found', transient: false, test: /does not exist/i },
  { code: 'not-found', transient: false, test: /no such cluster node/i },
  { code: 'already-exists', transient: false, test: /already exists/i },
  { code: 'agent-not-configured', transient: false, test: /No QEMU guest agent configured/i },
  { code: 'protected', transient: false, test: /protection mode enabled/i },
  { code: 'ssh-key-invalid', transient: false, test: /SSH public key validation error|invalid urlencoded string/i },
  { code: 'vm-state', transient: false, test: /\bVM \d+ (is )?(already )?running\b|\bVM \d+ (is )?not running\b|VM is paused/i },
  {
    code: 'unsupported',
    transient: false,
    test: /shrinking disks is not supported|not allowed for linked clones|you can't resize a cdrom|can't start a vm if it's a template|Only root may use this option|balloon value too large|checksum mismatch/i,
  },
  { code: 'ticket-only', transient: false, test: /not available with API token/i },
];

/** First matching pattern for a PVE error text, if any. */
export function matchErrorPattern(text: string): ErrorPattern | undefined {
  return ERROR_PATTERNS.find((p) => p.test.test(text));
}
