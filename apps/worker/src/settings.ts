import type { WorkerDeps, WorkerSettings } from './deps';

/** Defaults matching packages/config's worker schema, for deps built by tests with a partial config. */
const DEFAULTS: WorkerSettings = {
  WORKER_CONCURRENCY: 'auto',
  PVE_VMID_MIN: 100_000,
  PVE_VMID_MAX: 199_999,
  PVE_CLONE_LIMIT_PER_NODE: 2,
  PVE_POOL: undefined,
  PVE_CLONE_TASK_SECONDS: 1800,
  PVE_TASK_SECONDS: 300,
  PVE_SHUTDOWN_SECONDS: 120,
  VMID_REUSE_DAYS: 30,
  GUEST_NAMESERVER: '9.9.9.9 1.1.1.1',
  PROVISION_CIUSER: 'betang',
  GUEST_AGENT_WAIT_SECONDS: 300,
  GUEST_SSH_READY_SECONDS: 30,
  GUEST_CLOUD_INIT_WAIT_SECONDS: 600,
  GUEST_APT_PROXY: undefined,
  GUEST_APT_MIRROR: undefined,
  GUEST_PACKAGE_UPGRADE: true,
  GUEST_PACKAGE_UPGRADE_SECONDS: 900,
  RUN_DEADLINE_MINUTES: 60,
  RUN_STALE_SECONDS: 600,
  STEP_RETRIES: 3,
  STEP_RETRY_BASE_MS: 2_000,
  REQUEST_EVENTS_RETENTION_DAYS: 30,
};

/** The effective worker settings (config values over defaults). */
export function settingsOf(deps: WorkerDeps): WorkerSettings {
  const out = { ...DEFAULTS };
  for (const [k, v] of Object.entries(deps.config)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
