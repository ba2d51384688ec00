import { matchErrorPattern } from './error-patterns';
import type { PveErrorClassification } from './pve-error-code';

/**
 * Classifies an HTTP error answer from PVE by status and text (reason phrase, body
 * message, per-field errors). PVE reports nearly everything as 500, so the text decides;
 * an unrecognised 5xx is transient (the worker's bounded retry budget limits the cost),
 * an unrecognised 4xx is permanent.
 */
export function classifyHttpFailure(status: number, text: string): PveErrorClassification {
  if (status === 595) return { kind: 'transient', code: 'proxy-unreachable' };
  if (status === 596) return { kind: 'transient', code: 'proxy-timeout' };
  if (status >= 597 && status <= 599) return { kind: 'transient', code: 'proxy-error' };
  if (status === 401) return { kind: 'permanent', code: 'unauthorized' };
  if (status === 403) {
    const hit = matchErrorPattern(text);
    return { kind: 'permanent', code: hit?.code === 'ticket-only' ? 'ticket-only' : 'forbidden' };
  }
  if (status === 501) return { kind: 'permanent', code: 'not-implemented' };
  if (status >= 400 && status < 500) {
    const hit = matchErrorPattern(text);
    if (hit?.code === 'already-exists' || hit?.code === 'ssh-key-invalid') return { kind: 'permanent', code: hit.code };
    return { kind: 'permanent', code: status === 400 ? 'validation' : 'client-error' };
  }
  const hit = matchErrorPattern(text);
  if (hit) return { kind: hit.transient ? 'transient' : 'permanent', code: hit.code };
  return { kind: 'transient', code: 'server-error' };
}

/**
 * Classifies a task's `exitstatus` error text. The task ran and failed, so an unrecognised
 * text is permanent (`task-failed`); known lock/agent/quorum texts stay transient.
 */
export function classifyTaskExitStatus(exitstatus: string): PveErrorClassification {
  const hit = matchErrorPattern(exitstatus);
  if (hit) return { kind: hit.transient ? 'transient' : 'permanent', code: hit.code };
  return { kind: 'permanent', code: 'task-failed' };
}
