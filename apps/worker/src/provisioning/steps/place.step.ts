import { clusterSnapshot, type PveClient } from '@betang/proxmox';
import { permanent, transient } from '../../harness/run-error';
import { chooseNode, diskStorageOf } from '../choose-node';
import { placementLedger } from '../placement-ledger';
import { provisionStep } from '../provision-context';

export type PlaceResult = {
  /** Where the VM will live. */
  node: string;
  /** Where the template is (the clone request goes there; `node` is its target). Absent in runs memoised before placement spread. */
  templateNode?: string;
  storage: string | null;
  templateVmid: number;
};

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

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
 * `place`: the node the VM is built on, chosen from live capacity (`chooseNode`): any online node
 * sharing the template's storage, the one with the most free memory that has room for the
 * request; the template's own node when its storage is local. The per-node clone limit is applied
 * by the clone step. Read-only, safe to repeat. Undone by forgetting the placement in this
 * worker's ledger.
 */
export const placeStep = provisionStep<PlaceResult>({
  key: 'place',
  weight: 5,
  label: { id: 'penempatan pada node', en: 'place on a node' },
  async run({ ctx, run }) {
    const { template, request } = ctx.data;
    if (!template || !template.isActive) {
      throw permanent('TEMPLATE_MISSING', { id: `Template katalog ${request.templateId} tidak ada atau tidak aktif.`, en: `Catalog template ${request.templateId} is missing or inactive.` });
    }
    // One /cluster/resources call for VMs, nodes and storages.
    const { vms, nodes } = await clusterSnapshot(ctx.pve);
    const tpl = vms.find((v) => v.vmid === template.pveTemplateVmid);
    if (!tpl) {
      throw permanent('TEMPLATE_MISSING', {
        id: `Template "${template.name}" (VMID ${template.pveTemplateVmid}) tidak ditemukan di klaster${template.pveNode ? ` (diharapkan di node ${template.pveNode})` : ''}.`,
        en: `Template "${template.name}" (VMID ${template.pveTemplateVmid}) was not found in the cluster${template.pveNode ? ` (expected on node ${template.pveNode})` : ''}.`,
      });
    }
    const storage = template.storage ?? (await templateDiskStorage(ctx.pve, tpl.node, template.pveTemplateVmid));
    if (template.storage && !nodes.find((n) => n.node === tpl.node)?.storages.some((s) => s.storage === template.storage)) {
      throw permanent('STORAGE_MISSING', { id: `Penyimpanan ${template.storage} tidak ada di node ${tpl.node}.`, en: `Storage ${template.storage} does not exist on node ${tpl.node}.` });
    }
    const need = { templateNode: tpl.node, storage, memoryBytes: request.memoryMib * MiB, diskBytes: request.diskGib * GiB };
    // VMs this worker placed that the (lagging) numbers do not show yet count against their node.
    const placement = chooseNode(nodes, need, placementLedger.inFlight(run.id));
    if (!placement.ok && placement.reason === 'offline') {
      throw transient('NODE_OFFLINE', { id: `Node ${placement.node} yang memegang template sedang offline.`, en: `Node ${placement.node}, which holds the template, is offline.` }, { node: placement.node });
    }
    if (!placement.ok && placement.reason === 'memory') {
      throw permanent('NO_CAPACITY', {
        id: `Tidak ada node dengan memori bebas cukup: yang terbaik, ${placement.node}, hanya punya ${Math.floor(placement.freeBytes / MiB)} MiB; dibutuhkan ${request.memoryMib} MiB.`,
        en: `No node has enough free memory: the best, ${placement.node}, has only ${Math.floor(placement.freeBytes / MiB)} MiB; ${request.memoryMib} MiB needed.`,
      });
    }
    if (!placement.ok) {
      throw permanent('STORAGE_FULL', {
        id: `Penyimpanan ${storage ?? '?'} di node ${placement.node} hanya punya ${Math.floor(placement.freeBytes / GiB)} GiB bebas; dibutuhkan ${request.diskGib} GiB.`,
        en: `Storage ${storage ?? '?'} on node ${placement.node} has only ${Math.floor(placement.freeBytes / GiB)} GiB free; ${request.diskGib} GiB needed.`,
      });
    }
    placementLedger.place(run.id, { node: placement.node, storage, memoryBytes: need.memoryBytes, diskBytes: need.diskBytes });
    const result: PlaceResult = { node: placement.node, templateNode: tpl.node, storage: template.storage, templateVmid: template.pveTemplateVmid };
    return { result, detail: `node ${placement.node}${storage ? `, storage ${storage}` : ''}${placement.node !== tpl.node ? ` (template di/on ${tpl.node})` : ''}` };
  },
  async compensate({ run }) {
    placementLedger.release(run.id);
    return { undone: true };
  },
});
