import { isDatabaseReachable, type Db } from '@betang/db';
import { PveApiError, PveTransportError, type PveClient } from '@betang/proxmox';
import type { QueueBackend } from '@betang/queue';

/** Operator-facing reason, Bahasa Indonesia first then English. */
export type CheckReason = { id: string; en: string };
export type CheckResult = { ok: boolean; reason?: CheckReason };
/** A worker readiness check; every one is critical (the worker cannot do its work without it). */
export type WorkerCheck = { name: string; check(): Promise<CheckResult> };
export type WorkerReadiness = { status: 'ready' | 'not_ready'; checks: Record<string, CheckResult & { ms: number }> };

/** How long one check may take before it counts as failed. */
export const WORKER_CHECK_TIMEOUT_MS = 3_000;

/**
 * Runs the checks in parallel, each bounded by `timeoutMs`. Guarantees: answers within about
 * `timeoutMs`; a check that throws or hangs is a failure with a reason; `ready` iff all pass.
 */
export async function evaluateWorkerReadiness(checks: readonly WorkerCheck[], timeoutMs = WORKER_CHECK_TIMEOUT_MS): Promise<WorkerReadiness> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: { id: `tidak menjawab dalam ${timeoutMs} ms`, en: `no answer within ${timeoutMs} ms` } }), timeoutMs);
      });
      const result = await Promise.race([c.check().catch((error: unknown) => failure(error)), timeout]).finally(() => clearTimeout(timer));
      return [c.name, { ...result, ms: Math.round(performance.now() - started) }] as const;
    }),
  );
  return { status: results.every(([, r]) => r.ok) ? 'ready' : 'not_ready', checks: Object.fromEntries(results) };
}

function failure(error: unknown): CheckResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, reason: { id: `gagal: ${message}`, en: `failed: ${message}` } };
}

/** PostgreSQL answers. */
export function workerDatabaseCheck(db: Db): WorkerCheck {
  return {
    name: 'database',
    check: async () => ((await isDatabaseReachable(db)) ? { ok: true } : { ok: false, reason: { id: 'PostgreSQL tidak dapat dihubungi', en: 'PostgreSQL is unreachable' } }),
  };
}

/** The queue backend (Redis, or BullMQ's PostgreSQL tables) answers. */
export function workerQueueCheck(backend: Pick<QueueBackend, 'ping'> & { config: { kind: string } }): WorkerCheck {
  const what = backend.config.kind === 'redis' ? 'Redis' : 'antrean PostgreSQL / PostgreSQL queue';
  return {
    name: 'queue',
    check: async () => ((await backend.ping()) ? { ok: true, reason: { id: `${what} menjawab`, en: `${what} answers` } } : { ok: false, reason: { id: `${what} tidak dapat dihubungi`, en: `${what} is unreachable` } }),
  };
}

/**
 * A real Proxmox call, `GET /version`, with a short deadline; the answer is cached for
 * `cacheMs` so frequent probes do not load PVE. Without a configured client the check fails
 * with the reason (the worker cannot provision). 401 means the token is wrong or expired.
 */
export function workerProxmoxCheck(pve: PveClient | undefined, options: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {}): WorkerCheck {
  const timeoutMs = options.timeoutMs ?? 2_500;
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; result: CheckResult } | undefined;
  let inFlight: Promise<CheckResult> | undefined;
  const probe = async (client: PveClient): Promise<CheckResult> => {
    try {
      const version = await client.request<{ version?: string; release?: string }>('GET', '/version', undefined, { timeoutMs });
      return { ok: true, reason: { id: `Proxmox VE ${version.version ?? '?'} menjawab`, en: `Proxmox VE ${version.version ?? '?'} answers` } };
    } catch (error) {
      return { ok: false, reason: pveReason(error) };
    }
  };
  return {
    name: 'proxmox',
    async check() {
      if (!pve) return { ok: false, reason: { id: 'PVE_URL/PVE_TOKEN_* belum diatur: worker tidak dapat menyediakan VM', en: 'PVE_URL/PVE_TOKEN_* not set: the worker cannot provision VMs' } };
      if (cached && now() - cached.at < cacheMs) return cached.result;
      inFlight ??= probe(pve)
        .then((result) => {
          cached = { at: now(), result };
          return result;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}

function pveReason(error: unknown): CheckReason {
  if (error instanceof PveApiError && error.status === 401) {
    return { id: 'Proxmox menolak token (401): token salah, kedaluwarsa, atau dihapus — lihat docs/runbook.md', en: 'Proxmox refused the token (401): wrong, expired or deleted — see docs/runbook.md' };
  }
  if (error instanceof PveApiError) return { id: `Proxmox menjawab HTTP ${error.status}`, en: `Proxmox answered HTTP ${error.status}` };
  if (error instanceof PveTransportError) return { id: `Proxmox tidak terjangkau: ${error.message}`, en: `Proxmox unreachable: ${error.message}` };
  const message = error instanceof Error ? error.message : String(error);
  return { id: `Proxmox gagal: ${message}`, en: `Proxmox failed: ${message}` };
}
