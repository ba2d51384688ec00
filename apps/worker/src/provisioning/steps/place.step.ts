import { listClusterVms, nodeCapacity } from '@betang/proxmox';
import type { StepDef } from '../../harness/run-definition';
import { permanent, transient } from '../../harness/run-error';
import { chooseNode, diskStorageOf } from '../choose-node';
import type { ProvisionCtx } from '../provision-context';

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

/**
 * `place`: the node the VM is built on, chosen from live capacity (`chooseNode`): any online node
 * sharing the template's storage, the one with the most free memory that has room for the
 * request; the template's own node when its storage is local. The per-node clone limit is applied
 * by the clone step. Read-only, safe to repeat.
 */
export const placeStep: StepDef<ProvisionCtx> = {
  key: 'place',
  weight: 5,
  label: { id: 'penempatan pada node', en: 'place on a node' },
  async run({ ctx }) {
    const { template, request } = ctx.data;
    if (!template || !template.isActive) {
      throw permanent('TEMPLATE_MISSING', { id: `Template katalog ${request.templateId} tidak ada atau tidak aktif.`, en: `Catalog template ${request.templateId} is missing or inactive.` });
    }
    const vms = await listClusterVms(ctx.pve);
    const tpl = vms.find((v) => v.vmid === template.pveTemplateVmid);
    if (!tpl) {
      throw permanent('TEMPLATE_MISSING', {
        id: `Template "${template.name}" (VMID ${template.pveTemplateVmid}) tidak ditemukan di klaster${template.pveNode ? ` (diharapkan di node ${template.pveNode})` : ''}.`,
        en: `Template "${template.name}" (VMID ${template.pveTemplateVmid}) was not found in the cluster${template.pveNode ? ` (expected on node ${template.pveNode})` : ''}.`,
      });
    }
    const nodes = await nodeCapacity(ctx.pve);
    const tplConfig = (await ctx.pve.request('GET', `/nodes/${encodeURIComponent(tpl.node)}/qemu/${template.pveTemplateVmid}/config`)) as Record<string, unknown>;
    const storage = template.storage ?? diskStorageOf(tplConfig);
    if (template.storage && !nodes.find((n) => n.node === tpl.node)?.storages.some((s) => s.storage === template.storage)) {
      throw permanent('STORAGE_MISSING', { id: `Penyimpanan ${template.storage} tidak ada di node ${tpl.node}.`, en: `Storage ${template.storage} does not exist on node ${tpl.node}.` });
    }
    const placement = chooseNode(nodes, { templateNode: tpl.node, storage, memoryBytes: request.memoryMib * MiB, diskBytes: request.diskGib * GiB });
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
    const result: PlaceResult = { node: placement.node, templateNode: tpl.node, storage: template.storage, templateVmid: template.pveTemplateVmid };
    return { result, detail: `node ${placement.node}${storage ? `, storage ${storage}` : ''}${placement.node !== tpl.node ? ` (template di/on ${tpl.node})` : ''}` };
  },
};
