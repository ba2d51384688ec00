import type { CheckResult, HealthCheck, LocalizedText } from '@betang/core';
import { PveApiError, PveTransportError, type PveClient } from '@betang/proxmox';

/** How long one worker check may take before it counts as failed. */
export const WORKER_CHECK_TIMEOUT_MS = 3_000;

/**
 * Readiness check `proxmox` (critical: a worker that cannot reach PVE cannot do its work):
 * a real Proxmox call, `GET /version`, with a short deadline; the answer is cached for
 * `cacheMs` so frequent probes do not load PVE. Without a configured client the check fails
 * with the reason (the worker cannot provision). 401 means the token is wrong or expired.
 */
export function workerProxmoxCheck(
  pve: PveClient | undefined,
  options: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {},
): HealthCheck {
  const timeoutMs = options.timeoutMs ?? 2_500;
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; result: CheckResult } | undefined;
  let inFlight: Promise<CheckResult> | undefined;
  const probe = async (client: PveClient): Promise<CheckResult> => {
    try {
      const version = await client.request<{ version?: string; release?: string }>('GET', '/version', undefined, { timeoutMs });
      return {
        ok: true,
        reason: { id: `Proxmox VE ${version.version ?? '?'} menjawab`, en: `Proxmox VE ${version.version ?? '?'} answers` },
      };
    } catch (error) {
      return { ok: false, reason: pveReason(error) };
    }
  };
  return {
    name: 'proxmox',
    critical: true,
    async check() {
      if (!pve)
        return {
          ok: false,
          reason: {
            id: 'PVE_URL/PVE_TOKEN_* belum diatur: worker tidak dapat menyediakan VM',
            en: 'PVE_URL/PVE_TOKEN_* not set: the worker cannot provision VMs',
          },
        };
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

function pveReason(error: unknown): LocalizedText {
  if (error instanceof PveApiError && error.status === 401) {
    return {
      id: 'Proxmox menolak token (401): token salah, kedaluwarsa, atau dihapus — lihat docs/runbook.md',
      en: 'Proxmox refused the token (401): wrong, expired or deleted — see docs/runbook.md',
    };
  }
  if (error instanceof PveApiError) return { id: `Proxmox menjawab HTTP ${error.status}`, en: `Proxmox answered HTTP ${error.status}` };
  if (error instanceof PveTransportError)
    return { id: `Proxmox tidak terjangkau: ${error.message}`, en: `Proxmox unreachable: ${error.message}` };
  const message = error instanceof Error ? error.message : String(error);
  return { id: `Proxmox gagal: ${message}`, en: `Proxmox failed: ${message}` };
}
