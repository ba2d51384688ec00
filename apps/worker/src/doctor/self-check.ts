import type { WorkerConfig } from '@betang/config';
import type { HealthCheck } from '@betang/core';
import { saveClusterSelfCheck, type Db } from '@betang/db';
import type { PveClient } from '@betang/proxmox';
import type { Logger } from 'pino';
import { runDoctor, type DoctorReport } from './doctor';
import { doctorInputFrom } from './doctor-input';
import { loadBetangRole } from './role-file';

type SelfCheckDeps = {
  db: Db;
  pve: PveClient;
  logger: Logger;
  config: Pick<WorkerConfig, 'PVE_TOKEN_ID' | 'PVE_POOL' | 'PVE_VMID_MIN' | 'PVE_VMID_MAX'>;
};

type SelfCheck = {
  /** Readiness check `proxmox-setup`: fails while the last self-check found problems. */
  health: HealthCheck;
  /** One self-check now (also what the timer runs); never throws. */
  runOnce(): Promise<DoctorReport | undefined>;
  stop(): void;
};

/**
 * The doctor run by the worker itself, at start and every `everyMs`: each problem is logged
 * (Bahasa Indonesia / English, with its fix), stored for the operator's cluster page, and
 * reported on /readyz — before a run fails on it. Read-only towards Proxmox.
 */
export function startSelfCheck(deps: SelfCheckDeps, everyMs = 5 * 60_000): SelfCheck {
  const log = deps.logger.child({ module: 'worker.self-check' });
  let last: DoctorReport | undefined;
  let failure: string | undefined;
  const runOnce = async (): Promise<DoctorReport | undefined> => {
    try {
      const input = await doctorInputFrom(deps.db, deps.config, loadBetangRole());
      const report = await runDoctor(deps.pve, input);
      for (const f of report.findings) {
        if (f.level === 'ok') continue;
        const line = { check: f.check, subject: f.subject, fix: f.fix };
        if (f.level === 'error') log.error(line, `${f.message.id} / ${f.message.en}`);
        else log.warn(line, `${f.message.id} / ${f.message.en}`);
      }
      await saveClusterSelfCheck(deps.db, {
        checkedAt: new Date(),
        pveVersion: report.version ?? null,
        problems: report.problems,
        findings: report.findings,
      });
      if (report.problems === 0)
        log.info({ version: report.version }, 'pemeriksaan Proxmox: tidak ada masalah / Proxmox self-check: no problems');
      last = report;
      failure = undefined;
      return report;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      log.error({ err: error }, 'pemeriksaan Proxmox gagal / Proxmox self-check failed');
      return undefined;
    }
  };
  const timer = everyMs > 0 ? setInterval(() => void runOnce(), everyMs) : undefined;
  timer?.unref();
  void runOnce();
  const health: HealthCheck = {
    name: 'proxmox-setup',
    critical: true,
    async check() {
      if (failure)
        return { ok: false, reason: { id: `pemeriksaan Proxmox gagal: ${failure}`, en: `Proxmox self-check failed: ${failure}` } };
      if (!last) return { ok: true, reason: { id: 'pemeriksaan Proxmox belum selesai', en: 'Proxmox self-check not finished yet' } };
      const problems = last.findings.filter((f) => f.level === 'error');
      if (problems.length === 0)
        return {
          ok: true,
          reason: {
            id: `Proxmox ${last.version ?? '?'}: hak akses, pool, storage, bridge, template lengkap`,
            en: `Proxmox ${last.version ?? '?'}: permissions, pool, storages, bridges, templates complete`,
          },
        };
      return {
        ok: false,
        reason: {
          id: `${problems.length} masalah (npm run doctor): ${problems.map((f) => `${f.subject}: ${f.message.id}`).join('; ')}`,
          en: `${problems.length} problem(s) (npm run doctor): ${problems.map((f) => `${f.subject}: ${f.message.en}`).join('; ')}`,
        },
      };
    },
  };
  return { health, runOnce, stop: () => timer && clearInterval(timer) };
}
