import type { StorageSpec } from './types';

/** One backup archive on a backup storage (a PBS snapshot or a vzdump file in a directory). */
export interface BackupVolume {
  /** `pbs:backup/vm/101/2026-12-07T01:00:00Z` or `local:backup/vzdump-qemu-101-2026_12_07-01_00_00.vma.zst`. */
  volid: string;
  storage: string;
  /** The node whose local storage holds it; undefined on a shared storage. */
  node?: string;
  vmid: number;
  /** Seconds since the epoch: the backup's start time, which its name carries. */
  ctime: number;
  size: number;
  /** `pbs-vm` on PBS, `vma.zst` (or the chosen compression) on a directory. */
  format: string;
  notes?: string;
  protected: boolean;
  /**
   * The guest's `qemu-server.conf` as vzdump stored it in the archive (no `lock`, no snapshot
   * sections): what a restore rebuilds the VM from.
   */
  config: Record<string, string>;
  /** The image's login user, which travels with the disk into a restored VM. */
  defaultUser: string;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The volid vzdump gives a new VM backup: PBS names snapshots by their UTC start time; a directory
 * storage names the file by the node's local time (UTC on the simulated nodes) and the compressor.
 */
export function backupVolid(storage: StorageSpec, vmid: number, ctime: number, compress: string): { volid: string; format: string } {
  const d = new Date(ctime * 1000);
  if (storage.type === 'pbs') {
    return { volid: `${storage.id}:backup/vm/${vmid}/${d.toISOString().replace(/\.\d{3}Z$/, 'Z')}`, format: 'pbs-vm' };
  }
  const stamp = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}-${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`;
  const ext = { '0': 'vma', gzip: 'vma.gz', '1': 'vma.lzo', lzo: 'vma.lzo', zstd: 'vma.zst' }[compress] ?? 'vma';
  return { volid: `${storage.id}:backup/vzdump-qemu-${vmid}-${stamp}.${ext}`, format: ext };
}

/** Every backup volume of the cluster; local storages keep one set per node. */
export class BackupStore {
  private readonly volumes: BackupVolume[] = [];

  /** The volumes `node` sees on `storage` (all of a shared storage, its own of a local one). */
  list(storage: StorageSpec, node: string): BackupVolume[] {
    return this.volumes.filter((v) => v.storage === storage.id && (storage.shared || v.node === node));
  }

  /** The volume `volid` as `node` sees it. */
  find(storage: StorageSpec, node: string, volid: string): BackupVolume | undefined {
    return this.list(storage, node).find((v) => v.volid === volid);
  }

  add(v: BackupVolume): void {
    this.volumes.push(v);
  }

  /** Removes exactly that volume; true when it was there. */
  remove(v: BackupVolume): boolean {
    const i = this.volumes.indexOf(v);
    if (i < 0) return false;
    this.volumes.splice(i, 1);
    return true;
  }

  /** Bytes the backups take on `storage` as `node` sees it. */
  usedBytes(storage: StorageSpec, node: string): number {
    return this.list(storage, node).reduce((sum, v) => sum + v.size, 0);
  }
}
