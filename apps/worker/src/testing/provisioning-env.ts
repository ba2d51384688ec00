import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSshKeys } from '@betang/proxmox';
import { createPveClient, type PveClient } from '@betang/proxmox';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '@betang/pve-simulator';
import { bootDiskBytes, guestSpecFromVmConfig, type EmulatedGuestInput } from '@betang/guest/emulation';
import { JOB_NAMES } from '@betang/core';
import type { Db } from '@betang/db';
import type { JobHandlers } from '@betang/queue';
import { testLogDestination, testLogOptions } from '@betang/testkit';
import { pino } from 'pino';
import type { WorkerDeps } from '../deps';
import { createHandlers } from '../jobs';
import { simulatorGateway } from '../provisioning/guest-gateway';
import { databaseOnlyEdge } from '../public-endpoints/edge';
import { fakeDebianGuests } from './fake-debian-guest';

/** A fresh SSH key pair made by the real ssh-keygen (the platform's provisioning key in tests). */
export function makeKeyPair(comment = 'betang-platform'): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'betang-worker-key-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'k')]);
    return { privateKey: readFileSync(join(dir, 'k'), 'utf8'), publicKey: readFileSync(join(dir, 'k.pub'), 'utf8').trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Guest spec of a simulated VM, read back from its config as the worker wrote it. */
export function specFromSimVm(sim: RunningSimulator, platformKey: string, portsByHostname: Map<string, number[]>) {
  return (vmid: number): EmulatedGuestInput | undefined => {
    const config = (sim.state.vm(vmid)?.config ?? {}) as Record<string, string | undefined>;
    const spec = guestSpecFromVmConfig(
      { name: config.name, tags: config.tags, searchdomain: config.searchdomain, sshKeys: decodeSshKeys(config.sshkeys) },
      platformKey,
      portsByHostname.get(config.name ?? '') ?? [],
    );
    // The guest sees the disk as Proxmox has it now (a resize grows it under the running guest).
    return spec && { ...spec, diskBytes: () => bootDiskBytes(sim.state.vm(vmid)?.config ?? {}) ?? 0 };
  };
}

export type ProvisioningEnv = {
  sim: RunningSimulator;
  pve: PveClient;
  deps: WorkerDeps;
  platformKey: { privateKey: string; publicKey: string };
  portsByHostname: Map<string, number[]>;
  /** The Debian emulation installed as the simulator's guest command handler. */
  guests: ReturnType<typeof fakeDebianGuests>;
  /** Clears every injected fault and re-installs the guest emulation. */
  healthy(): void;
  close(): Promise<void>;
};

/** The public pool of the provisioning env: three addresses, so a test can exhaust it. */
export const TEST_PUBLIC_POOL = ['203.0.113.10', '203.0.113.11', '203.0.113.12'] as const;

/** Worker deps against an in-process simulator whose guests emulate Debian over SSH. */
export async function startProvisioningEnv(
  db: Db,
  simOptions: SimulatorOptions = {},
  config: Partial<WorkerDeps['config']> = {},
): Promise<ProvisioningEnv> {
  const sim = await startSimulator({ timeFactor: 0.01, seed: 11, agentBootSeconds: 20, authFailureDelayMs: 5, ...simOptions });
  const pve = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5_000 });
  const platformKey = makeKeyPair();
  const portsByHostname = new Map<string, number[]>();
  const guests = fakeDebianGuests(specFromSimVm(sim, platformKey.publicKey, portsByHostname));
  sim.faults.setGuestCommandHandler(guests);
  const deps: WorkerDeps = {
    config: {
      WORKER_CONCURRENCY: 4,
      PVE_VMID_MIN: 100_000,
      PVE_VMID_MAX: 100_999,
      STEP_RETRIES: 3,
      STEP_RETRY_BASE_MS: 20,
      GUEST_AGENT_WAIT_SECONDS: 15,
      GUEST_CLOUD_INIT_WAIT_SECONDS: 15,
      GUEST_SSH_READY_SECONDS: 10,
      PVE_CLONE_TASK_SECONDS: 30,
      PVE_TASK_SECONDS: 20,
      RUN_DEADLINE_MINUTES: 30,
      ...config,
    },
    db,
    logger: pino(testLogOptions('worker-env'), testLogDestination('worker-env')),
    pve,
    guest: simulatorGateway({ baseUrl: sim.url, ca: sim.caPem }),
    provisioningKey: platformKey,
    // The documentation range (RFC 5737): public addresses that route nowhere.
    publicEndpoints: { pool: TEST_PUBLIC_POOL, edge: databaseOnlyEdge() },
  };
  return {
    sim,
    pve,
    deps,
    platformKey,
    portsByHostname,
    guests,
    healthy() {
      sim.faults.reset();
      sim.faults.setGuestCommandHandler(guests);
    },
    async close() {
      await pve.close();
      await sim.close();
    },
  };
}

/** The worker's handlers, with a stub for every contract that has no handler (a test may enqueue any job name). */
export function completeHandlers(deps: WorkerDeps): JobHandlers {
  const handlers = createHandlers(deps) as Record<string, unknown>;
  for (const name of JOB_NAMES) handlers[name] ??= async () => ({ skipped: 'no handler in this test' });
  return handlers as JobHandlers;
}
