import type { StepDef } from '../../harness/run-definition';
import { permanent } from '../../harness/run-error';
import { bootDisk, readVmConfig, runTask, vmPath } from '../pve-vm';
import type { ActionCtx } from './action-context';
import type { Located } from './locate.step';
import { formatGiB } from '../disk-size';

const GiB = 1024 ** 3;

/**
 * `resize`: grow cores, memory and the boot disk to the requested absolute values. Grow only
 * (a smaller value is refused before anything is sent); values already in place are skipped, so
 * a retry never grows twice. Cores/memory of a running VM apply at its next reboot (PVE pending).
 */
export const resizeVmStep: StepDef<ActionCtx> = {
  key: 'resize',
  weight: 70,
  label: { id: 'perbesar VM', en: 'grow the VM' },
  async run({ ctx, result, signal }) {
    const { node, vmid } = result<Located>('locate');
    if (!node) throw new Error('resize needs a located VM');
    const p = ctx.params;
    const cfg = await readVmConfig(ctx.pve, node, vmid);
    const disk = bootDisk(cfg);
    const shrink: string[] = [];
    if (p.cores !== undefined && p.cores < (cfg.cores ?? ctx.vm.cores)) shrink.push(`cores ${cfg.cores} → ${p.cores}`);
    if (p.memoryMiB !== undefined && p.memoryMiB < (cfg.memory ?? ctx.vm.memoryMib)) shrink.push(`memory ${cfg.memory} → ${p.memoryMiB}`);
    if (p.diskGiB !== undefined && disk && p.diskGiB * GiB < disk.sizeBytes) shrink.push(`disk ${formatGiB(disk.sizeBytes)} → ${p.diskGiB} GiB`);
    if (shrink.length) throw permanent('RESIZE_SHRINK', { id: `Ukuran hanya boleh diperbesar: ${shrink.join('; ')}.`, en: `Sizes can only grow: ${shrink.join('; ')}.` });
    const changes: Record<string, number> = {};
    if (p.cores !== undefined && p.cores !== cfg.cores) changes.cores = p.cores;
    if (p.memoryMiB !== undefined && p.memoryMiB !== cfg.memory) changes.memory = p.memoryMiB;
    const deadline = ctx.settings.PVE_TASK_SECONDS * 1000;
    if (Object.keys(changes).length) await runTask(ctx.pve, 'POST', `${vmPath(node, vmid)}/config`, changes, deadline, signal);
    if (p.diskGiB !== undefined && disk && p.diskGiB * GiB > disk.sizeBytes) {
      await runTask(ctx.pve, 'PUT', `${vmPath(node, vmid)}/resize`, { disk: disk.key, size: `${p.diskGiB}G` }, deadline, signal);
    }
    return { result: { cores: p.cores ?? cfg.cores, memoryMib: p.memoryMiB ?? cfg.memory, diskGib: p.diskGiB ?? (disk ? disk.sizeBytes / GiB : undefined) }, detail: JSON.stringify({ ...changes, ...(p.diskGiB ? { diskGiB: p.diskGiB } : {}) }) };
  },
};
