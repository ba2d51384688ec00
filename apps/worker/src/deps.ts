import type { RunSecretBox, WorkerConfig } from '@betang/config';
import type { Db } from '@betang/db';
import type { PveClient } from '@betang/proxmox';
import type { Logger } from 'pino';
import type { RunObserver } from './harness/run-observer';
import type { GuestGateway } from './provisioning/guest-gateway';
import type { PublicEdge } from './public-endpoints/edge';

/** The worker settings job handlers read. */
export type WorkerSettings = Pick<
  WorkerConfig,
  | 'WORKER_CONCURRENCY'
  | 'PVE_VMID_MIN'
  | 'PVE_VMID_MAX'
  | 'PVE_CLONE_LIMIT_PER_NODE'
  | 'PVE_POOL'
  | 'PVE_CLONE_TASK_SECONDS'
  | 'PVE_TASK_SECONDS'
  | 'PVE_SHUTDOWN_SECONDS'
  | 'VMID_REUSE_DAYS'
  | 'GUEST_NAMESERVER'
  | 'PROVISION_CIUSER'
  | 'GUEST_AGENT_WAIT_SECONDS'
  | 'GUEST_SSH_READY_SECONDS'
  | 'GUEST_CLOUD_INIT_WAIT_SECONDS'
  | 'GUEST_APT_PROXY'
  | 'GUEST_APT_MIRROR'
  | 'GUEST_PACKAGE_UPGRADE'
  | 'GUEST_PACKAGE_UPGRADE_SECONDS'
  | 'RUN_DEADLINE_MINUTES'
  | 'RUN_STALE_SECONDS'
  | 'STEP_RETRIES'
  | 'STEP_RETRY_BASE_MS'
  | 'REQUEST_EVENTS_RETENTION_DAYS'
>;

/** The platform's provisioning SSH key pair (the private half never leaves the worker). */
export type ProvisioningKey = { privateKey: string; publicKey: string };

/** What job handlers may use; built once by main.ts (or by tests). */
export type WorkerDeps = {
  config: Pick<WorkerConfig, 'WORKER_CONCURRENCY'> & Partial<WorkerSettings>;
  db: Db;
  logger: Logger;
  /** Proxmox client; absent when PVE_* is not configured (provisioning runs then fail clearly). */
  pve?: PveClient;
  /** How guests are reached over SSH. */
  guest?: GuestGateway;
  provisioningKey?: ProvisioningKey;
  /** Internet access (PUBLIC_NAT_ADDRESSES): the public pool and the edge that applies the NAT; absent = not offered. */
  publicEndpoints?: { pool: readonly string[]; edge: PublicEdge };
  /** Opens secrets the API sealed into run params (a console password); absent without SIGNING_MASTER_SECRET. */
  runSecrets?: RunSecretBox;
  /** Aborted when the process is shutting down. */
  stopping?: AbortSignal;
  /** State of a queue job by id ('active', 'waiting', 'delayed', 'failed', … or undefined when gone). */
  jobState?(jobId: string): Promise<string | undefined>;
  /** Where the harness reports step and run durations (main.ts: the worker's /metrics). */
  metrics?: RunObserver;
};
