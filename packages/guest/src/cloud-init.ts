import type { GuestShell } from './guest-connection';
import { runScriptAsRoot } from './guest-commands';
import { GuestError, GuestErrorCode } from './guest-errors';

/** Waits for cloud-init when the image has it; exit 100 means it has not. */
const CLOUD_INIT_WAIT_SCRIPT = 'command -v cloud-init >/dev/null 2>&1 || exit 100\nexec timeout "$1" cloud-init status --wait';

export type CloudInitResult = { present: false } | { present: true; status: 'done' | 'degraded'; output: string };

/**
 * Waits until cloud-init has finished its first boot, so the steps never race it (SSH accepts
 * logins 12–15 s before cloud-init is done, and cloud-init rewrites hostname, users and sshd
 * settings). Skips when the image has no cloud-init. Safe to call any number of times: once
 * cloud-init is done, `status --wait` returns at once. Exit 2 ("done with recoverable errors",
 * cloud-init ≥ 23.4) is reported as 'degraded'; an error or the timeout throws a retryable
 * GuestError(CloudInitFailed).
 */
export async function waitForCloudInit(shell: GuestShell, options: { timeoutSec?: number } = {}): Promise<CloudInitResult> {
  const timeoutSec = options.timeoutSec ?? 600;
  // One exec: "is cloud-init there" and "wait for it" (exit 100 = absent).
  const r = await runScriptAsRoot(shell, CLOUD_INIT_WAIT_SCRIPT, [String(timeoutSec)], { okCodes: [0, 1, 2, 100, 124] });
  if (r.code === 100) return { present: false };
  const output = `${r.stdout}${r.stderr}`.trim().slice(-2000);
  if (r.code === 0) return { present: true, status: 'done', output };
  if (r.code === 2) return { present: true, status: 'degraded', output };
  const timedOut = r.code === 124;
  throw new GuestError(
    GuestErrorCode.CloudInitFailed,
    timedOut
      ? { id: `cloud-init belum selesai setelah ${timeoutSec} detik.`, en: `cloud-init did not finish within ${timeoutSec} seconds.` }
      : { id: `cloud-init selesai dengan galat: ${output}`, en: `cloud-init finished with an error: ${output}` },
    true,
    { exitCode: r.code, output },
  );
}
