import { clusterSnapshot } from '@betang/proxmox';
import { permanent, transient } from '../../harness/run-error';
import { chooseNode } from '../choose-node';
import { PlacementLedger } from '../placement-ledger';
import { provisionStep } from '../provision-context';
import { resolveTemplateSources } from '../template-sources';

export type PlaceResult = {
  /** Where the VM will live. */
  node: string;
  /**
   * Where the template copy is: the clone request goes there, its copy work (and clone slot) is
   * there; `node` is its target. Absent in runs memoised before placement spread.
   */
  templateNode?: string;
  /** The `storage` of the clone request (the catalog's), null = the template's own. */
  storage: string | null;
  /** The template copy cloned (the catalog's vmid, or its copy on `templateNode`). */
  templateVmid: number;
};

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * `place`: the node the VM is built on and the template copy it is cloned from, chosen from live
 * capacity (`chooseNode`): any online node sharing a template's storage, or holding its own copy
 * of the template (catalog_template_nodes: clusters on local storage keep one per node); the one
 * with the fewest VMs in flight, then the most free memory. The per-node clone limit is applied by
 * the clone step, on the copy's node. Reads PVE only; writes only this run's hold in the shared
 * ledger (placement_holds), chosen and written under one lock so workers never overfill a node.
 * Safe to repeat: a repeat replaces the run's hold and never counts it against itself. Undone by
 * deleting the hold.
 */
export const placeStep = provisionStep<PlaceResult>({
  key: 'place',
  weight: 5,
  label: { id: 'penempatan pada node', en: 'place on a node' },
  async run({ ctx, run }) {
    const { template, request } = ctx.data;
    if (!template || !template.isActive) {
      throw permanent('TEMPLATE_MISSING', {
        id: `Template katalog ${request.templateId} tidak ada atau tidak aktif.`,
        en: `Catalog template ${request.templateId} is missing or inactive.`,
      });
    }
    // One /cluster/resources call for VMs, nodes and storages.
    const snapshot = await clusterSnapshot(ctx.pve);
    const { nodes } = snapshot;
    const copies = [
      { vmid: template.pveTemplateVmid, storage: template.storage },
      ...(ctx.data.templateNodes ?? []).map((c) => ({ vmid: c.pveTemplateVmid, storage: c.storage })),
    ];
    const found = await resolveTemplateSources(ctx.pve, copies, snapshot);
    if (found.sources.length === 0 && found.storageMissing[0]) {
      const m = found.storageMissing[0];
      throw permanent('STORAGE_MISSING', {
        id: `Penyimpanan ${m.storage} tidak ada di node ${m.node}.`,
        en: `Storage ${m.storage} does not exist on node ${m.node}.`,
      });
    }
    if (found.sources.length === 0) {
      const vmids = found.missing.join(', ');
      throw permanent('TEMPLATE_MISSING', {
        id: `Template "${template.name}" (VMID ${vmids}) tidak ditemukan di klaster${template.pveNode ? ` (diharapkan di node ${template.pveNode})` : ''}.`,
        en: `Template "${template.name}" (VMID ${vmids}) was not found in the cluster${template.pveNode ? ` (expected on node ${template.pveNode})` : ''}.`,
      });
    }
    const need = { sources: found.sources, memoryBytes: request.memoryMiB * MiB, diskBytes: request.diskGiB * GiB };
    // VMs any worker placed that the (lagging) numbers do not show yet count against their node;
    // the choice and its hold are one step under the cluster-wide placement lock.
    const ledger = new PlacementLedger(ctx.deps.db);
    const placement = await ledger.place<ReturnType<typeof chooseNode>>(run.id, (inFlight) => {
      const chosen = chooseNode(nodes, need, inFlight);
      if (!chosen.ok) return { hold: null, value: chosen };
      const hold = { node: chosen.node, storage: chosen.source.storage, memoryBytes: need.memoryBytes, diskBytes: need.diskBytes };
      return { hold, value: chosen };
    });
    if (!placement.ok && placement.reason === 'offline') {
      throw transient(
        'NODE_OFFLINE',
        {
          id: `Node ${placement.node} yang memegang template sedang offline.`,
          en: `Node ${placement.node}, which holds the template, is offline.`,
        },
        { node: placement.node },
      );
    }
    if (!placement.ok && placement.reason === 'memory') {
      throw permanent('NO_CAPACITY', {
        id: `Tidak ada node dengan memori bebas cukup: yang terbaik, ${placement.node}, hanya punya ${Math.floor(placement.freeBytes / MiB)} MiB; dibutuhkan ${request.memoryMiB} MiB.`,
        en: `No node has enough free memory: the best, ${placement.node}, has only ${Math.floor(placement.freeBytes / MiB)} MiB; ${request.memoryMiB} MiB needed.`,
      });
    }
    if (!placement.ok) {
      throw permanent('STORAGE_FULL', {
        id: `Penyimpanan ${placement.storage ?? '?'} di node ${placement.node} hanya punya ${Math.floor(placement.freeBytes / GiB)} GiB bebas; dibutuhkan ${request.diskGiB} GiB.`,
        en: `Storage ${placement.storage ?? '?'} on node ${placement.node} has only ${Math.floor(placement.freeBytes / GiB)} GiB free; ${request.diskGiB} GiB needed.`,
      });
    }
    const source = found.sources.find((s) => s.vmid === placement.source.vmid)!;
    const storage = source.storage;
    const result: PlaceResult = {
      node: placement.node,
      templateNode: source.node,
      storage: source.cloneStorage,
      templateVmid: source.vmid,
    };
    return {
      result,
      detail: `node ${placement.node}${storage ? `, storage ${storage}` : ''}, template ${source.vmid}${placement.node !== source.node ? ` @ ${source.node}` : ''}`,
    };
  },
  async compensate({ env, run }) {
    await new PlacementLedger(env.db).release(run.id);
    return { undone: true };
  },
});
