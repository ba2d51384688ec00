import { bilingualDetail } from '@betang/core';
import { permanent } from '../../harness/run-error';
import { provisionStep, takeKnownConfig } from '../provision-context';
import { bootDisk } from '../pve-vm';
import { formatGiB } from '../disk-size';
import { cloneStep } from './clone.step';

/** The boot disk and its size after the step. */
type ResizeResult = { disk: string; sizeGiB: number };

const GiB = 1024 ** 3;

/**
 * `resize`: the boot disk to the requested absolute size; skipped when already equal (so a
 * retry after a crash never grows it twice); a template disk larger than the request is an error.
 */
export const resizeStep = provisionStep<ResizeResult>({
  key: 'resize',
  weight: 5,
  label: { id: 'ubah ukuran disk', en: 'resize the disk' },
  async run({ ctx, output, signal, cache }) {
    const { vmid, node } = output(cloneStep);
    const want = ctx.data.request.diskGiB;
    // configure, earlier in this attempt, knows the disks; a retry or restart reads them afresh.
    const vm = ctx.pve.vm(node, vmid);
    const disk = bootDisk(takeKnownConfig(cache, vmid, node) ?? (await vm.config({ current: true })));
    if (!disk)
      throw permanent('DISK_MISSING', {
        id: `VM ${vmid} tidak punya disk boot (scsi0/virtio0/sata0).`,
        en: `VM ${vmid} has no boot disk (scsi0/virtio0/sata0).`,
      });
    // Compared in bytes: a 3584M template disk is 3.5 GiB and still needs the resize to 4 GiB.
    const have = disk.sizeBytes;
    if (have === want * GiB)
      return {
        skipped: true,
        result: { disk: disk.key, sizeGiB: want },
        detail: bilingualDetail({ id: `${disk.key} sudah ${want} GiB`, en: `${disk.key} already ${want} GiB` }),
      };
    if (have > want * GiB && ctx.data.restoreFrom) {
      throw permanent('DISK_LARGER_THAN_REQUEST', {
        id: `Disk dari cadangan (${formatGiB(have)}) lebih besar dari permohonan (${want} GiB); disk tidak dapat diperkecil. Perbesar disk VM asal menjadi ≥ ${Math.ceil(have / GiB)} GiB, lalu minta pemulihan ke VM baru lagi.`,
        en: `The backup's disk (${formatGiB(have)}) is larger than requested (${want} GiB); disks cannot shrink. Grow the source VM's disk to ≥ ${Math.ceil(have / GiB)} GiB, then ask for the restore into a new VM again.`,
      });
    }
    if (have > want * GiB) {
      throw permanent('DISK_LARGER_THAN_REQUEST', {
        id: `Disk template (${formatGiB(have)}) lebih besar dari permintaan (${want} GiB); disk tidak dapat diperkecil. Minta ukuran ≥ ${Math.ceil(have / GiB)} GiB atau pakai template lain.`,
        en: `The template disk (${formatGiB(have)}) is larger than requested (${want} GiB); disks cannot shrink. Request ≥ ${Math.ceil(have / GiB)} GiB or use another template.`,
      });
    }
    await vm.resizeDisk(disk.key, `${want}G`, { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    return { result: { disk: disk.key, sizeGiB: want }, detail: `${disk.key} ${formatGiB(have)} → ${want} GiB` };
  },
});
