import type { Db } from '@betang/db';
import type { RequestHandler } from 'express';
import { sql } from 'kysely';

/** Operator-facing reason of a check result, Bahasa Indonesia first then English. */
export type CheckReason = { id: string; en: string };

/** One check's answer; `reason` says what was seen, always for a failure and when useful for success. */
export type CheckResult = { ok: boolean; reason?: CheckReason };

/**
 * A readiness check. `critical` checks make /readyz answer 503 when they fail; non-critical ones
 * are reported (status `degraded`) but keep the process in rotation.
 */
export type HealthCheck = { name: string; critical: boolean; check(): Promise<CheckResult> };

export type ReadinessReport = {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: Record<string, CheckResult & { critical: boolean; ms: number }>;
};

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2_000;

/**
 * Runs every check in parallel, each bounded by `timeoutMs`; a check that throws or times out
 * is a failure with its reason. Guarantees: answers within about `timeoutMs` whatever the
 * dependencies do; `not_ready` iff a critical check failed.
 */
export async function evaluateReadiness(checks: readonly HealthCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, reason: { id: `tidak menjawab dalam ${timeoutMs} ms`, en: `no answer within ${timeoutMs} ms` } }), timeoutMs);
      });
      const result = await Promise.race([
        c.check().catch((error: unknown): CheckResult => {
          const message = error instanceof Error ? error.message : String(error);
          return { ok: false, reason: { id: `gagal: ${message}`, en: `failed: ${message}` } };
        }),
        timeout,
      ]).finally(() => clearTimeout(timer));
      return [c.name, { ...result, critical: c.critical, ms: Math.round(performance.now() - started) }] as const;
    }),
  );
  const failedCritical = results.some(([, r]) => r.critical && !r.ok);
  const failedAny = results.some(([, r]) => !r.ok);
  return { status: failedCritical ? 'not_ready' : failedAny ? 'degraded' : 'ready', checks: Object.fromEntries(results) };
}

/** Express handler of /readyz: the report as JSON, 503 when not ready, never cached. */
export function readinessHandler(checks: readonly HealthCheck[]): RequestHandler {
  return async (_req, res) => {
    const report = await evaluateReadiness(checks);
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.status === 'not_ready' ? 503 : 200).json(report);
  };
}

/** PostgreSQL answers `SELECT 1` (critical: nothing works without it). */
export function databaseCheck(db: Db): HealthCheck {
  return {
    name: 'database',
    critical: true,
    async check() {
      await sql`SELECT 1`.execute(db);
      return { ok: true };
    },
  };
}

/** The queue backend answers (Redis PING, or BullMQ's PostgreSQL tables); critical: approvals enqueue work. */
export function queueCheck(backend: { config: { kind: string }; ping(): Promise<boolean> }): HealthCheck {
  const what = backend.config.kind === 'redis' ? 'Redis' : 'antrean PostgreSQL / PostgreSQL queue';
  return {
    name: 'queue',
    critical: true,
    async check() {
      return (await backend.ping())
        ? { ok: true, reason: { id: `${what} menjawab`, en: `${what} answers` } }
        : { ok: false, reason: { id: `${what} tidak dapat dihubungi`, en: `${what} is unreachable` } };
    },
  };
}

/** A cluster observation older than this means the worker no longer reaches Proxmox (it observes every 30 s). */
export const SNAPSHOT_MAX_AGE_SECONDS = 180;

/**
 * Proxmox reachability as the worker sees it (the API holds no PVE credentials): the age of the
 * cluster snapshot the worker's `cluster.snapshot` job writes every 30 s after a successful PVE
 * call. Not critical — the API serves everything else while Proxmox is away, and pulling it out
 * of rotation would only hide the cause (docs/runbook.md).
 */
export function proxmoxSnapshotCheck(db: Db, maxAgeSeconds = SNAPSHOT_MAX_AGE_SECONDS): HealthCheck {
  return {
    name: 'proxmox',
    critical: false,
    async check() {
      const { rows } = await sql<{ age: number | null; nodes: string }>`
        SELECT extract(epoch FROM now() - max(observed_at))::float8 AS age, count(*) AS nodes FROM cluster_nodes`.execute(db);
      const age = rows[0]?.age;
      if (age === null || age === undefined) {
        return {
          ok: false,
          reason: {
            id: 'belum ada pengamatan klaster: worker belum berjalan atau PVE_* belum diatur',
            en: 'no cluster observation yet: the worker is not running or PVE_* is not set',
          },
        };
      }
      const seconds = Math.max(0, Math.round(age));
      return seconds <= maxAgeSeconds
        ? { ok: true, reason: { id: `diamati worker ${seconds} dtk lalu (${rows[0]?.nodes} node)`, en: `observed by the worker ${seconds} s ago (${rows[0]?.nodes} nodes)` } }
        : {
            ok: false,
            reason: {
              id: `pengamatan klaster terakhir ${seconds} dtk lalu (> ${maxAgeSeconds}): worker tidak menjangkau Proxmox — periksa /readyz worker`,
              en: `last cluster observation ${seconds} s ago (> ${maxAgeSeconds}): the worker does not reach Proxmox — check the worker's /readyz`,
            },
          };
    },
  };
}
