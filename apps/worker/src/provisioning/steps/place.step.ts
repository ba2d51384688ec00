import { listClusterVms, nodeCapacity } from '@betang/proxmox';
import type { StepDef } from '../../harness/run-definition';
import { permanent, transient } from '../../harness/run-error';
import type { ProvisionCtx } from '../provision-context';

export type PlaceResult = { node: string; storage: string | null; templateVmid: number };

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * `place`: the node the VM is built on, from live capacity. The clone lands on the node that
 * holds the template (packages/proxmox clones without `target`), so placement checks that
 * node is online and has the memory and disk the request needs. Read-only, safe to repeat.
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
    const node = (await nodeCapacity(ctx.pve)).find((n) => n.node === tpl.node);
    if (!node || !node.online) {
      throw transient('NODE_OFFLINE', { id: `Node ${tpl.node} yang memegang template sedang offline.`, en: `Node ${tpl.node}, which holds the template, is offline.` }, { node: tpl.node });
    }
    if (node.memFreeBytes !== undefined && node.memFreeBytes < request.memoryMib * MiB) {
      throw permanent('NO_CAPACITY', {
        id: `Node ${node.node} hanya punya ${Math.floor(node.memFreeBytes / MiB)} MiB memori bebas; dibutuhkan ${request.memoryMib} MiB.`,
        en: `Node ${node.node} has only ${Math.floor(node.memFreeBytes / MiB)} MiB free memory; ${request.memoryMib} MiB needed.`,
      });
    }
    const storageId = template.storage;
    const storage = storageId ? node.storages.find((s) => s.storage === storageId) : undefined;
    if (storageId && !storage) {
      throw permanent('STORAGE_MISSING', { id: `Penyimpanan ${storageId} tidak ada di node ${node.node}.`, en: `Storage ${storageId} does not exist on node ${node.node}.` });
    }
    if (storage?.freeBytes !== undefined && storage.freeBytes < request.diskGib * GiB) {
      throw permanent('STORAGE_FULL', {
        id: `Penyimpanan ${storage.storage} di node ${node.node} hanya punya ${Math.floor(storage.freeBytes / GiB)} GiB bebas; dibutuhkan ${request.diskGib} GiB.`,
        en: `Storage ${storage.storage} on node ${node.node} has only ${Math.floor(storage.freeBytes / GiB)} GiB free; ${request.diskGib} GiB needed.`,
      });
    }
    const result: PlaceResult = { node: node.node, storage: storageId, templateVmid: template.pveTemplateVmid };
    return { result, detail: `node ${node.node}${storageId ? `, storage ${storageId}` : ''}` };
  },
};
