import { evaluateReadiness, type HealthCheck } from '@betang/core';
import type { Db } from '@betang/db';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { sql } from 'kysely';

/** How long one check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

/** Express handler of /readyz: the report as JSON, 503 when not ready, never cached. */
export function readinessHandler(checks: readonly HealthCheck[], logger?: Pick<Logger, 'warn'>): RequestHandler {
  return async (_req, res) => {
    const report = await evaluateReadiness(checks, CHECK_TIMEOUT_MS, (check, err) =>
      logger?.warn({ err, check }, 'pemeriksaan kesiapan gagal / readiness check failed'),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.status === 'not_ready' ? 503 : 200).json(report);
  };
}

/** A cluster observation older than this means the worker no longer reaches Proxmox (it observes every 30 s). */
const SNAPSHOT_MAX_AGE_SECONDS = 180;

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
        ? {
            ok: true,
            reason: {
              id: `diamati worker ${seconds} dtk lalu (${rows[0]?.nodes} node)`,
              en: `observed by the worker ${seconds} s ago (${rows[0]?.nodes} nodes)`,
            },
          }
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
