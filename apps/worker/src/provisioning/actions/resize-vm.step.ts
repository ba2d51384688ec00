import { permanent } from '../../harness/run-error';
import { bootDisk } from '../pve-vm';
import { formatGiB } from '../disk-size';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

/** The sizes after the step (what record writes to the VM row). */
type ResizeVmResult = { cores?: number; memoryMiB?: number; diskGiB?: number };

const GiB = 1024 ** 3;

/**
 * `resize`: grow cores, memory and the boot disk to the requested absolute values. Grow only
 * (a smaller value is refused before anything is sent); values already in place are skipped, so
 * a retry never grows twice. Cores/memory of a running VM apply at its next reboot (PVE pending).
 */
export const resizeVmStep = actionStep<ResizeVmResult>({
  key: 'resize',
  weight: 70,
  label: { id: 'perbesar VM', en: 'grow the VM' },
  async run({ ctx, output, signal }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('resize needs a located VM');
    const p = ctx.params;
    const vm = ctx.pve.vm(node, vmid);
    const cfg = await vm.config({ current: true });
    const disk = bootDisk(cfg);
    const shrink: string[] = [];
    if (p.cores !== undefined && p.cores < (cfg.cores ?? ctx.vm.cores)) shrink.push(`cores ${cfg.cores} → ${p.cores}`);
    if (p.memoryMiB !== undefined && p.memoryMiB < (cfg.memory ?? ctx.vm.memoryMiB)) shrink.push(`memory ${cfg.memory} → ${p.memoryMiB}`);
    if (p.diskGiB !== undefined && disk && p.diskGiB * GiB < disk.sizeBytes)
      shrink.push(`disk ${formatGiB(disk.sizeBytes)} → ${p.diskGiB} GiB`);
    if (shrink.length)
      throw permanent('RESIZE_SHRINK', {
        id: `Ukuran hanya boleh diperbesar: ${shrink.join('; ')}.`,
        en: `Sizes can only grow: ${shrink.join('; ')}.`,
      });
    const changes: Record<string, number> = {};
    if (p.cores !== undefined && p.cores !== cfg.cores) changes.cores = p.cores;
    if (p.memoryMiB !== undefined && p.memoryMiB !== cfg.memory) changes.memory = p.memoryMiB;
    const task = { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal };
    if (Object.keys(changes).length) await vm.updateConfig(changes, task);
    if (p.diskGiB !== undefined && disk && p.diskGiB * GiB > disk.sizeBytes) {
      await vm.resizeDisk(disk.key, `${p.diskGiB}G`, task);
    }
    // The VM row keeps whole GiB (an integer column): a 3584M disk records as 4.
    return {
      result: {
        cores: p.cores ?? cfg.cores,
        memoryMiB: p.memoryMiB ?? cfg.memory,
        diskGiB: p.diskGiB ?? (disk ? Math.ceil(disk.sizeBytes / GiB) : undefined),
      },
      detail: JSON.stringify({ ...changes, ...(p.diskGiB ? { diskGiB: p.diskGiB } : {}) }),
    };
  },
});
