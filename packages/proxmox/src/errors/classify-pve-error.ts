import { ZodError } from 'zod';
import { PveTaskFailedError, PveTaskTimeoutError } from '../tasks/pve-task-errors';
import { UpidParseError } from '../tasks/upid';
import { InvalidSshKeyError } from '../wire/ssh-keys';
import { InvalidTagError } from '../wire/tags';
import { AgentExecTimeoutError } from './agent-exec-timeout-error';
import { CloneOutcomeUnknownError } from './clone-outcome-unknown-error';
import { classifyHttpFailure, classifyTaskExitStatus } from './classify-text';
import { PveApiError } from './pve-api-error';
import type { PveErrorClassification } from './pve-error-code';
import { PveTransportError } from './pve-transport-error';

/**
 * Says whether retrying the failed step later may succeed (`transient`) or not
 * (`permanent`), with a stable reason code.
 *
 * Transient errors are safe to retry only because every provisioning step re-checks PVE's
 * state before acting (a timed-out POST may have been applied: see
 * `PveTransportError.maybeApplied`). Anything that is not a Betang PVE error is
 * `permanent/unknown` so that programming errors are not retried forever.
 */
export function classifyPveError(err: unknown): PveErrorClassification {
  if (err instanceof PveApiError) {
    const fieldText = err.errors ? Object.values(err.errors).join('\n') : '';
    return classifyHttpFailure(err.status, `${err.reason}\n${err.message}\n${fieldText}`);
  }
  if (err instanceof PveTransportError) {
    return { kind: err.retryable ? 'transient' : 'permanent', code: err.kind };
  }
  if (err instanceof PveTaskFailedError) return classifyTaskExitStatus(err.exitstatus);
  if (err instanceof PveTaskTimeoutError) return { kind: 'transient', code: 'task-deadline' };
  if (err instanceof CloneOutcomeUnknownError) return { kind: 'transient', code: 'outcome-unknown' };
  if (err instanceof AgentExecTimeoutError) return { kind: 'transient', code: 'agent-timeout' };
  // PVE answered with something our schemas cannot read: retrying will not change it.
  if (err instanceof ZodError || err instanceof UpidParseError) return { kind: 'permanent', code: 'protocol' };
  if (err instanceof InvalidSshKeyError || err instanceof InvalidTagError) return { kind: 'permanent', code: 'validation' };
  return { kind: 'permanent', code: 'unknown' };
}
