/**
 * Why a PVE call failed, as a stable code for logs, metrics and the worker's retry policy.
 *
 * Transient (retry the step later, after re-checking PVE's state):
 * `network`, `timeout`, `aborted`, `proxy-unreachable` (595), `proxy-timeout` (596),
 * `proxy-error` (597–599), `server-error` (other 5xx), `lock-timeout`, `vm-locked`,
 * `agent-not-running`, `agent-timeout`, `no-quorum`, `no-worker`, `task-killed`,
 * `task-deadline` (our wait expired; the task may still be running), `outcome-unknown`
 * (a clone POST got no answer; re-check the named vmid).
 *
 * Permanent (retrying the same request cannot help):
 * `validation` (400), `unauthorized` (401), `forbidden` (403), `client-error` (other 4xx),
 * `not-implemented` (501), `not-found`, `already-exists`, `agent-not-configured`, `protected`,
 * `ssh-key-invalid`, `vm-state`, `unsupported`, `ticket-only`, `tls`, `protocol` (also an
 * answer our schemas cannot read),
 * `task-failed` (a task ended with an unrecognised error), `unknown` (not a PVE error).
 */
export type PveErrorCode =
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'proxy-unreachable'
  | 'proxy-timeout'
  | 'proxy-error'
  | 'server-error'
  | 'lock-timeout'
  | 'vm-locked'
  | 'agent-not-running'
  | 'agent-timeout'
  | 'no-quorum'
  | 'no-worker'
  | 'task-killed'
  | 'task-deadline'
  | 'outcome-unknown'
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'client-error'
  | 'not-implemented'
  | 'not-found'
  | 'already-exists'
  | 'agent-not-configured'
  | 'protected'
  | 'ssh-key-invalid'
  | 'vm-state'
  | 'unsupported'
  | 'ticket-only'
  | 'tls'
  | 'protocol'
  | 'task-failed'
  | 'unknown';

export type PveErrorClass = 'transient' | 'permanent';

export type PveErrorClassification = { kind: PveErrorClass; code: PveErrorCode };
