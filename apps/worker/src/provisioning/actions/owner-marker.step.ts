import { bilingualDetail } from '@betang/core';
import { formatTags, type PveParams } from '@betang/proxmox';
import { withOwnerMarker, withoutOwnerMarker } from '../../estate/ownership-marker';
import { actionStep } from './action-context';
import { locateStep } from './locate.step';

type MarkerResult = { tags: string[] };

/** Whether config already holds `m` (PVE sorts tags, so they are compared as sets). */
function holds(config: { tags: readonly string[]; description?: string | undefined }, m: { tags: string[]; description: string }): boolean {
  return (config.description ?? '') === m.description && [...config.tags].sort().join(';') === [...m.tags].sort().join(';');
}

/** Tags and description as config parameters; an emptied one is deleted, as PVE keeps no empty key. */
function markerParams(m: { tags: string[]; description: string }): PveParams {
  const del = [...(m.tags.length === 0 ? ['tags'] : []), ...(m.description === '' ? ['description'] : [])];
  return {
    ...(m.tags.length > 0 ? { tags: formatTags(m.tags) } : {}),
    ...(m.description !== '' ? { description: m.description } : {}),
    ...(del.length > 0 ? { delete: del.join(',') } : {}),
  };
}

/**
 * `mark-owner` (adopt): writes Betang's ownership marker — the tags and the description line
 * provisioning writes, with this run's id — next to the tags and notes people wrote. Nothing else
 * of the guest's config changes. Safe to run twice: the marker is computed from the current
 * config and equal values are not written again.
 */
export const markOwnerStep = actionStep<MarkerResult>({
  key: 'mark-owner',
  weight: 70,
  label: { id: 'tulis penanda kepemilikan Betang', en: "write Betang's ownership marker" },
  async run({ ctx, run, output, signal }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('mark-owner needs a located VM');
    const inst = await ctx.deps.db
      .selectFrom('institutions')
      .select('code')
      .where('id', '=', ctx.vm.institutionId)
      .executeTakeFirstOrThrow();
    const vm = ctx.pve.vm(node, vmid);
    const before = await vm.config({ current: true });
    const marked = withOwnerMarker({ tags: before.tags, description: before.description }, run.id, inst.code);
    if (!holds(before, marked)) await vm.updateConfig(markerParams(marked), { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    return {
      result: { tags: marked.tags },
      detail: bilingualDetail({ id: `penanda betang-run=${run.id} ditulis`, en: `marker betang-run=${run.id} written` }),
    };
  },
});

/**
 * `unmark-owner` (release): removes every Betang tag and marker line, leaving the VM's own tags and
 * notes as they were; the VM keeps running untouched. Safe to run twice: a VM without a marker is
 * left alone.
 */
export const unmarkOwnerStep = actionStep<MarkerResult>({
  key: 'unmark-owner',
  weight: 70,
  label: { id: 'hapus penanda kepemilikan Betang', en: "remove Betang's ownership marker" },
  async run({ ctx, output, signal }) {
    const { node, vmid } = output(locateStep);
    if (!node) throw new Error('unmark-owner needs a located VM');
    const vm = ctx.pve.vm(node, vmid);
    const before = await vm.config({ current: true });
    const plain = withoutOwnerMarker({ tags: before.tags, description: before.description });
    if (!holds(before, plain)) await vm.updateConfig(markerParams(plain), { deadlineMs: ctx.settings.PVE_TASK_SECONDS * 1000, signal });
    return { result: { tags: plain.tags }, detail: bilingualDetail({ id: 'penanda dihapus', en: 'marker removed' }) };
  },
});
