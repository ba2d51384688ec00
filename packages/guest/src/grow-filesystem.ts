import { readGuestFile, runAsRoot } from './guest-commands';
import type { GuestShell } from './guest-connection';
import { GuestPreconditionError } from './guest-errors';

/** What growing the root filesystem found and did. */
export type GrowFilesystemReport = {
  device: string;
  fsType: string;
  bytesBefore: number;
  bytesAfter: number;
  /** One line per change made (empty: the partition and filesystem already filled the disk). */
  changes: string[];
};

const DEVICE = /^\/dev\/[A-Za-z0-9/_-]+$/;
const KERNEL_NAME = /^[A-Za-z0-9_-]+$/;

/** Reads `findmnt -n -b -o SOURCE,FSTYPE,SIZE /`: the root filesystem's device, type and size in bytes. */
async function rootFilesystem(shell: GuestShell): Promise<{ device: string; fsType: string; bytes: number }> {
  const r = await runAsRoot(shell, ['findmnt', '-n', '-b', '-o', 'SOURCE,FSTYPE,SIZE', '/']);
  const [device = '', fsType = '', size = ''] = r.stdout.trim().split(/\s+/);
  if (!DEVICE.test(device) || !/^\d+$/.test(size)) {
    throw new GuestPreconditionError({
      id: `Sistem berkas root tidak dikenali: "${r.stdout.trim()}".`,
      en: `The root filesystem is not recognised: "${r.stdout.trim()}".`,
    });
  }
  return { device, fsType, bytes: Number(size) };
}

/**
 * Grows the guest's root partition and filesystem to fill a disk that Proxmox has just made
 * larger (online: no reboot, no unmount). `growpart` extends the partition (exit 1 with NOCHANGE
 * when it already reaches the end of the disk), then `resize2fs` (ext2/3/4) or `xfs_growfs` grows
 * the mounted filesystem (a filesystem that already fills its partition is left as it is). Safe to
 * run twice or after a crash half-way: each tool only grows what is smaller than its container,
 * so a second run changes nothing. A root on something other than a partition of a disk (LVM,
 * a whole disk) or another filesystem type is refused before anything changes.
 */
export async function growRootFilesystem(shell: GuestShell): Promise<GrowFilesystemReport> {
  const before = await rootFilesystem(shell);
  if (!['ext2', 'ext3', 'ext4', 'xfs'].includes(before.fsType)) {
    throw new GuestPreconditionError({
      id: `Sistem berkas root ${before.fsType} tidak dapat diperbesar otomatis (hanya ext4 atau xfs).`,
      en: `Root filesystem ${before.fsType} cannot be grown automatically (ext4 or xfs only).`,
    });
  }
  const name = before.device.slice('/dev/'.length);
  const [parent, partition] = await Promise.all([
    runAsRoot(shell, ['lsblk', '-n', '-d', '-o', 'PKNAME', before.device]),
    readGuestFile(shell, `/sys/class/block/${name}/partition`),
  ]);
  const disk = parent.stdout.trim();
  const number = (partition ?? '').trim();
  if (!KERNEL_NAME.test(disk) || !/^\d+$/.test(number)) {
    throw new GuestPreconditionError({
      id: `Root ${before.device} bukan partisi sebuah disk; perbesar secara manual.`,
      en: `Root ${before.device} is not a partition of a disk; grow it by hand.`,
    });
  }
  const changes: string[] = [];
  const grown = await runAsRoot(shell, ['growpart', `/dev/${disk}`, number], { okCodes: [0, 1] });
  if (grown.code === 0) changes.push(`partisi/partition ${before.device}: ${grown.stdout.trim().split('\n')[0] ?? 'CHANGED'}`);
  else if (!/NOCHANGE/.test(grown.stdout + grown.stderr)) {
    throw new GuestPreconditionError({
      id: `growpart gagal: ${(grown.stderr || grown.stdout).trim()}`,
      en: `growpart failed: ${(grown.stderr || grown.stdout).trim()}`,
    });
  }
  await (before.fsType === 'xfs' ? runAsRoot(shell, ['xfs_growfs', '/']) : runAsRoot(shell, ['resize2fs', before.device]));
  const after = await rootFilesystem(shell);
  if (after.bytes !== before.bytes) changes.push(`${before.fsType} ${before.bytes} → ${after.bytes} bytes`);
  else if (grown.code === 0) {
    throw new GuestPreconditionError({
      id: `Partisi diperbesar tetapi sistem berkas tetap ${after.bytes} byte.`,
      en: `The partition grew but the filesystem stayed at ${after.bytes} bytes.`,
    });
  }
  return { device: before.device, fsType: before.fsType, bytesBefore: before.bytes, bytesAfter: after.bytes, changes };
}
