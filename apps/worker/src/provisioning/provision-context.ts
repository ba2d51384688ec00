import { loadProvisionContext, type ProvisionContext, type RunRow } from '@betang/db';
import type { PveClient, VmConfig } from '@betang/proxmox';
import { z } from 'zod';
import type { WorkerDeps, WorkerSettings } from '../deps';
import { cacheSlot, type AttemptCache } from '../harness/attempt-cache';
import { createStep, type Step } from '../harness/run-definition';
import { permanent } from '../harness/run-error';
import { settingsOf } from '../settings';

/**
 * `params` of a provision run (jsonb, written by the API on approval). Everything else is read
 * from the request, pool and template rows by id. `poolId` is only needed when the request has
 * no held address any more (a re-queued run whose address was released by cleanup) and its
 * last allocation's pool should not be used.
 */
const ZProvisionParams = z.object({ poolId: z.uuid().optional() }).loose();
type ProvisionParams = z.infer<typeof ZProvisionParams>;

export type ProvisionCtx = {
  deps: WorkerDeps;
  settings: WorkerSettings;
  pve: PveClient;
  data: ProvisionContext;
  params: ProvisionParams;
  /** Written as its own line in the VM description: the run's ownership proof. */
  marker: string;
  /** PVE tag carrying the run id. */
  runTag: string;
  /**
   * Markers of earlier provision runs of the same request (an operator's retry is a new run): a
   * VM one of them built and could not clean up is adopted rather than cloned again.
   */
  previousMarkers: string[];
};

/** A provisioning step: its context, the output it declares, and the worker deps its compensation uses. */
type ProvisionStep<T = void> = Step<ProvisionCtx, T, WorkerDeps>;

/** Declares a provisioning step (createStep with the provisioning types). */
export function provisionStep<T = void>(step: Omit<ProvisionStep<T>, '__output'>): ProvisionStep<T> {
  return createStep<ProvisionCtx, T, WorkerDeps>(step);
}

/** reserve allocated this vmid in this attempt and PVE confirmed it free: no earlier clone of ours can be there. */
export const FRESH_VMID = cacheSlot<number>('fresh-vmid');
/** The VM's config as last read or left by this attempt (clone → configure → resize). */
export const KNOWN_CONFIG = cacheSlot<{ vmid: number; node: string; config: VmConfig }>('vm-config');
/** This attempt cloned the VM itself and has not started it: it is stopped. */
export const STOPPED_VMID = cacheSlot<number>('stopped-vmid');

/** Takes (returns and forgets) the config this attempt knows for the VM, when it is the same VM. */
export function takeKnownConfig(cache: AttemptCache, vmid: number, node: string): VmConfig | undefined {
  const k = cache.take(KNOWN_CONFIG);
  return k && k.vmid === vmid && k.node === node ? k.config : undefined;
}

/** The owner marker of a provision run (matches packages/proxmox's marker rules). */
export function runMarker(runId: string): string {
  return `betang-run=${runId}`;
}

/** The PVE tag of a provision run. */
export function runTag(runId: string): string {
  return `betang-run-${runId}`;
}

/** The PVE client, or a clear permanent error when Proxmox is not configured. */
export function requirePve(deps: WorkerDeps): PveClient {
  if (!deps.pve) {
    throw permanent('PVE_NOT_CONFIGURED', {
      id: 'Worker tidak dikonfigurasi untuk Proxmox (PVE_URL, PVE_TOKEN_ID, PVE_TOKEN_SECRET).',
      en: 'The worker is not configured for Proxmox (PVE_URL, PVE_TOKEN_ID, PVE_TOKEN_SECRET).',
    });
  }
  return deps.pve;
}

/** Loads a provision run's context; a missing request or template is a permanent, explained error. */
export async function loadProvisionCtx(deps: WorkerDeps, run: RunRow): Promise<ProvisionCtx> {
  const data = await loadProvisionContext(deps.db, run.requestId);
  if (!data)
    throw permanent('REQUEST_MISSING', { id: `Permohonan ${run.requestId} tidak ditemukan.`, en: `Request ${run.requestId} not found.` });
  const parsed = ZProvisionParams.safeParse(run.params ?? {});
  if (!parsed.success)
    throw permanent('PARAMS_INVALID', {
      id: `Parameter run tidak valid: ${parsed.error.message}`,
      en: `Invalid run parameters: ${parsed.error.message}`,
    });
  const earlier = await deps.db
    .selectFrom('provisioningRuns')
    .select('id')
    .where('requestId', '=', run.requestId)
    .where('kind', '=', 'provision')
    .where('id', '<>', run.id)
    .orderBy('createdAt', 'desc')
    .execute();
  return {
    deps,
    settings: settingsOf(deps),
    pve: requirePve(deps),
    data,
    params: parsed.data,
    marker: runMarker(run.id),
    runTag: runTag(run.id),
    previousMarkers: earlier.map((r) => runMarker(r.id)),
  };
}
