import type { LocalizedText } from './i18n';

/** One check's answer; `reason` says what was seen (always for a failure, and when useful for a success). */
export type CheckResult = { ok: boolean; reason?: LocalizedText };

/**
 * A readiness check of a process. `critical` checks make the process not ready when they fail;
 * non-critical ones are reported (status `degraded`) but keep the process in rotation.
 */
export type HealthCheck = { name: string; critical: boolean; check(): Promise<CheckResult> };

type ReadinessReport = {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: Record<string, CheckResult & { critical: boolean; ms: number }>;
};

/**
 * Runs every check in parallel, each bounded by `timeoutMs`; a check that throws or does not
 * answer in time is a failure with its reason. Guarantees: answers within about `timeoutMs`
 * whatever the dependencies do; `not_ready` iff a critical check failed, `degraded` iff only
 * non-critical ones did. A thrown error's message (it may name hosts, users or databases) goes to
 * `onError` for the log, never into the report, which says only the error's code. Used by the
 * API's and the worker's /readyz.
 */
export async function evaluateReadiness(
  checks: readonly HealthCheck[],
  timeoutMs: number,
  onError?: (check: string, error: unknown) => void,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, reason: { id: `tidak menjawab dalam ${timeoutMs} ms`, en: `no answer within ${timeoutMs} ms` } }),
          timeoutMs,
        );
      });
      const result = await Promise.race([
        c.check().catch((error: unknown): CheckResult => {
          onError?.(c.name, error);
          const code = (error as { code?: unknown } | null)?.code;
          const what = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : error instanceof Error ? error.name : 'error';
          return { ok: false, reason: { id: `gagal (${what}); rincian di log`, en: `failed (${what}); details in the log` } };
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
