import type { ClusterState } from './cluster-state';
import { configDisks } from './disks';
import { memoryMiB } from './config-wire';
import type { StorageSpec } from './types';

/** A volume's format as PVE derives it from the name: `.qcow2`/`.raw`/`.vmdk` on file storages, raw elsewhere. */
export function volumeFormat(volume: string): string {
  const m = /\.(qcow2|raw|vmdk)$/.exec(volume);
  return m?.[1] ?? 'raw';
}

/**
 * PVE::Storage::volume_has_feature($storecfg, 'snapshot', $volid) for the storage types the
 * simulator offers: LVM-thin, RBD and ZFS snapshot any volume; directory and NFS storages
 * (PVE::Storage::Plugin) only qcow2 images.
 */
export function canSnapshotVolume(storage: StorageSpec | undefined, volume: string): boolean {
  if (!storage) return false;
  switch (storage.type) {
    case 'lvmthin':
    case 'rbd':
    case 'zfspool':
      return true;
    case 'dir':
    case 'nfs':
      return volumeFormat(volume) === 'qcow2';
    case 'pbs':
      // A Proxmox Backup Server storage holds backups only, never a VM's disk.
      return false;
  }
}

/**
 * volume_has_feature('copy', $volid, $snapname): LVM-thin and RBD copy from a snapshot, ZFS
 * does not (its plugin copies only base and current volumes), file storages a qcow2 image's only.
 */
export function canCopySnapshot(storage: StorageSpec | undefined, volume: string): boolean {
  if (!storage) return false;
  switch (storage.type) {
    case 'lvmthin':
    case 'rbd':
      return true;
    case 'zfspool':
      return false;
    case 'dir':
    case 'nfs':
      return volumeFormat(volume) === 'qcow2';
    case 'pbs':
      // A Proxmox Backup Server storage holds backups only, never a VM's disk.
      return false;
  }
}

/** PVE::JSONSchema's pve-configid: a letter, then at least one of letters, digits, `_`, `-`. */
export function checkConfigId(v: string): string | undefined {
  return /^[a-z][a-z0-9_-]+$/i.test(v) ? undefined : `invalid configuration ID '${v}'`;
}

/** PVE::QemuConfig->has_feature('snapshot', $conf): every disk that is not a cdrom can snapshot. */
export function configCanSnapshot(state: ClusterState, config: Record<string, string>): boolean {
  return configDisks(config).every(([, d]) => d.isCdrom || canSnapshotVolume(state.storage(d.storage), d.volume));
}

/**
 * PVE::QemuConfig::find_vmstate_storage: `vmstatestorage` when set, else a shared storage the VM
 * has a disk on, else a local one (file-based preferred within each), else `local`.
 */
export function vmstateStorage(state: ClusterState, config: Record<string, string>): string {
  if (config.vmstatestorage) return config.vmstatestorage;
  let shared: string | undefined;
  let local: string | undefined;
  for (const [, d] of configDisks(config)) {
    if (d.isCdrom) continue;
    const s = state.storage(d.storage);
    const fileBased = s?.type === 'dir' || s?.type === 'nfs';
    if (s?.shared) shared = shared === undefined || fileBased ? d.storage : shared;
    else local = local === undefined || fileBased ? d.storage : local;
  }
  return shared ?? local ?? 'local';
}

/** The state volume __snapshot_save_vmstate allocates: `vm-<vmid>-state-<snap>` (`<vmid>/….raw` on file storages). */
export function vmstateVolume(state: ClusterState, vmid: number, snapname: string, config: Record<string, string>): string {
  const storeid = vmstateStorage(state, config);
  const s = state.storage(storeid);
  const fileBased = s?.type === 'dir' || s?.type === 'nfs';
  return fileBased ? `${storeid}:${vmid}/vm-${vmid}-state-${snapname}.raw` : `${storeid}:vm-${vmid}-state-${snapname}`;
}

/** What __snapshot_save_vmstate reserves for RAM and device state: 2 × memory + 500 MiB. */
export function vmstateSizeMiB(config: Record<string, string>): number {
  return memoryMiB(config) * 2 + 500;
}
