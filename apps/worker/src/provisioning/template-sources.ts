import type { ClusterSnapshot, PveClient } from '@betang/proxmox';
import { diskStorageOf, type TemplateSource } from './choose-node';

/** A template copy as the catalog names it: the vmid, and the storage to clone onto (null = the template's own). */
type CatalogCopy = { vmid: number; storage: string | null };

/** A copy found in the cluster, with the `storage` the clone request passes (the catalog's, if it names one). */
type ResolvedSource = TemplateSource & { cloneStorage: string | null };

type ResolvedSources = {
  sources: ResolvedSource[];
  /** Catalog vmids the cluster does not have (a node rebuilt, a template deleted). */
  missing: number[];
  /** Copies whose catalog storage is not on their node. */
  storageMissing: Array<{ vmid: number; node: string; storage: string }>;
};

/** A template's disk storage changes only when an operator rebuilds it: remembered for a minute. */
const TEMPLATE_STORAGE_TTL_MS = 60_000;
const templateStorage = new Map<string, { storage: string | null; at: number }>();

async function templateDiskStorage(pve: PveClient, node: string, vmid: number): Promise<string | null> {
  const key = `${node}/${vmid}`;
  const hit = templateStorage.get(key);
  if (hit && Date.now() - hit.at < TEMPLATE_STORAGE_TTL_MS) return hit.storage;
  const config = await pve.vm(node, vmid).config();
  const storage = diskStorageOf(config);
  templateStorage.set(key, { storage, at: Date.now() });
  return storage;
}

/**
 * Finds the catalog's template copies in one cluster snapshot: where each is (the cluster's word,
 * not the catalog's, counts — a template may have been moved) and on which storage its disks are
 * (the catalog's storage, else read from the template's config, cached). Duplicate vmids count
 * once. Read-only.
 */
export async function resolveTemplateSources(
  pve: PveClient,
  copies: readonly CatalogCopy[],
  snapshot: Pick<ClusterSnapshot, 'vms' | 'nodes'>,
): Promise<ResolvedSources> {
  const out: ResolvedSources = { sources: [], missing: [], storageMissing: [] };
  const seen = new Set<number>();
  for (const copy of copies) {
    if (seen.has(copy.vmid)) continue;
    seen.add(copy.vmid);
    const vm = snapshot.vms.find((v) => v.vmid === copy.vmid);
    if (!vm) {
      out.missing.push(copy.vmid);
      continue;
    }
    if (copy.storage && !snapshot.nodes.find((n) => n.node === vm.node)?.storages.some((s) => s.storage === copy.storage)) {
      out.storageMissing.push({ vmid: copy.vmid, node: vm.node, storage: copy.storage });
      continue;
    }
    const storage = copy.storage ?? (await templateDiskStorage(pve, vm.node, copy.vmid));
    out.sources.push({ vmid: copy.vmid, node: vm.node, storage, cloneStorage: copy.storage });
  }
  return out;
}
