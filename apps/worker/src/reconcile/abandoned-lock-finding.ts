import type { FindingInput } from '@betang/db';

/**
 * The finding for a VM whose lock no running task holds. A token can not clear a lock (PVE
 * allows `skiplock` to root@pam alone), so the message names what root runs on the node.
 * The fingerprint is the vmid: the worker and the reconciler refresh the same finding.
 */
export function abandonedLockFinding(vmid: number, node: string, lock: string, ours: boolean, runId?: string): FindingInput {
  const commands = `qm unlock ${vmid}${lock === 'clone' ? ` && qm destroy ${vmid} --destroy-unreferenced-disks 1 --purge 1` : ''}`;
  return {
    kind: 'abandoned_lock',
    fingerprint: `abandoned_lock:${vmid}`,
    vmid,
    node,
    runId: runId ?? null,
    message: {
      id: `VM ${vmid} di node ${node} terkunci (${lock}) tetapi tidak ada tugas Proxmox yang berjalan untuknya (worker Proxmox mati, mis. node crash).${lock === 'clone' ? ' Itu clone setengah jadi; Betang memakai VMID lain.' : ''} Hanya root di node yang dapat membukanya: ${commands}`,
      en: `VM ${vmid} on node ${node} is locked (${lock}) but no Proxmox task runs for it (its worker died, e.g. a node crash).${lock === 'clone' ? ' It is a half-made clone; Betang uses another VMID.' : ''} Only root on the node can clear it: ${commands}`,
    },
    detail: { lock, ours, commands },
  };
}
