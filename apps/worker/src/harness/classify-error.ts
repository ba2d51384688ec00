import { GuestError } from '@betang/guest';
import { classifyPveError } from '@betang/proxmox';
import type { LocalizedText } from '@betang/core';
import { RunError } from './run-error';

/** What the harness decides about a failed step. */
export type ClassifiedError = { retryable: boolean; code: string; text: LocalizedText };

type Describable = { describe(): LocalizedText };

function hasDescribe(err: unknown): err is Describable {
  return typeof err === 'object' && err !== null && typeof (err as { describe?: unknown }).describe === 'function';
}

const TRANSIENT_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * node-postgres reports a connection lost mid-query (PostgreSQL restarted, the network dropped)
 * or a pool that could not connect in time with a bare Error, without a code: pg/lib/client.js
 * and pg-pool/index.js name them only by message.
 */
const CODELESS_CONNECTION_LOSS =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect|Query read timeout)$/;

/** PostgreSQL/network failures of our own infrastructure: retrying later may help. */
function isTransientInfrastructure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return TRANSIENT_SYSTEM_CODES.has(code) || /^(08|57P0|40001|40P01|53)/.test(code);
  return err instanceof Error && CODELESS_CONNECTION_LOSS.test(err.message);
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 1000);
}

/**
 * Classifies any error a step may throw into retry-with-backoff or fail-with-reason.
 * RunError and GuestError carry their own decision; Proxmox errors go through
 * classifyPveError; lost database/network connections are transient; anything else (a bug,
 * an unreadable answer) is permanent so it is not retried forever.
 */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof RunError) return { retryable: err.retryable, code: err.code, text: err.text };
  if (err instanceof GuestError) return { retryable: err.retryable, code: err.code, text: err.userMessage };
  const pve = classifyPveError(err);
  if (pve.code !== 'unknown') {
    const text = hasDescribe(err) ? err.describe() : { id: messageOf(err), en: messageOf(err) };
    return { retryable: pve.kind === 'transient', code: `PVE_${pve.code.toUpperCase().replace(/-/g, '_')}`, text };
  }
  if (isTransientInfrastructure(err)) {
    const m = messageOf(err);
    return {
      retryable: true,
      code: 'INFRASTRUCTURE',
      text: { id: `Gangguan sementara basis data/jaringan: ${m}`, en: `Temporary database/network failure: ${m}` },
    };
  }
  const m = messageOf(err);
  return { retryable: false, code: 'INTERNAL', text: { id: `Galat internal: ${m}`, en: `Internal error: ${m}` } };
}
