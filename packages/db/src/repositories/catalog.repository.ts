import type { Executor } from '../database';

type TemplateRow = {
  id: string;
  name: string;
  osFamily: string;
  pveTemplateVmid: number;
  pveNode: string | null;
  storage: string | null;
  isActive: boolean;
};
type PresetRow = { id: string; name: string; cores: number; memoryMiB: number; diskGiB: number; isActive: boolean };

/** Templates in display order (all, or only active ones). */
export async function listTemplates(db: Executor, onlyActive: boolean): Promise<TemplateRow[]> {
  let q = db
    .selectFrom('catalogTemplates')
    .select(['id', 'name', 'osFamily', 'pveTemplateVmid', 'pveNode', 'storage', 'isActive'])
    .orderBy('sortOrder')
    .orderBy('id');
  if (onlyActive) q = q.where('isActive', '=', true);
  return q.execute();
}

/** Presets in display order (all, or only active ones). */
export async function listPresets(db: Executor, onlyActive: boolean): Promise<PresetRow[]> {
  let q = db
    .selectFrom('sizePresets')
    .select(['id', 'name', 'cores', 'memoryMiB as memoryMiB', 'diskGiB as diskGiB', 'isActive'])
    .orderBy('sortOrder')
    .orderBy('id');
  if (onlyActive) q = q.where('isActive', '=', true);
  return q.execute();
}

/** Upserts a template by id. */
export async function putTemplate(db: Executor, id: string, t: Omit<TemplateRow, 'id'>): Promise<void> {
  await db
    .insertInto('catalogTemplates')
    .values({ id, ...t })
    .onConflict((oc) => oc.column('id').doUpdateSet(t))
    .execute();
}

/** Upserts a preset by id. */
export async function putPreset(db: Executor, id: string, p: Omit<PresetRow, 'id'>): Promise<void> {
  const values = { name: p.name, cores: p.cores, memoryMiB: p.memoryMiB, diskGiB: p.diskGiB, isActive: p.isActive };
  await db
    .insertInto('sizePresets')
    .values({ id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/** A per-node copy of a catalog template (a cluster on local storage needs one on every node it places VMs on). */
type TemplateNodeRow = { templateId: string; node: string; pveTemplateVmid: number; storage: string | null };

/** The per-node copies of one template (or of all), by node name. */
export async function listTemplateNodes(db: Executor, templateId?: string): Promise<TemplateNodeRow[]> {
  let q = db
    .selectFrom('catalogTemplateNodes')
    .select(['templateId', 'node', 'pveTemplateVmid', 'storage'])
    .orderBy('templateId')
    .orderBy('node');
  if (templateId !== undefined) q = q.where('templateId', '=', templateId);
  return q.execute();
}

/** Records (or moves) the copy of a template on a node; a second call with the same values changes nothing. */
export async function putTemplateNode(db: Executor, row: TemplateNodeRow): Promise<void> {
  const values = { pveTemplateVmid: row.pveTemplateVmid, storage: row.storage };
  await db
    .insertInto('catalogTemplateNodes')
    .values(row)
    .onConflict((oc) => oc.columns(['templateId', 'node']).doUpdateSet(values))
    .execute();
}

/** Replaces a template's per-node copies with `copies` (in the caller's transaction; the same list twice changes nothing). */
export async function replaceTemplateNodes(
  db: Executor,
  templateId: string,
  copies: ReadonlyArray<Omit<TemplateNodeRow, 'templateId'>>,
): Promise<void> {
  await db.deleteFrom('catalogTemplateNodes').where('templateId', '=', templateId).execute();
  if (copies.length)
    await db
      .insertInto('catalogTemplateNodes')
      .values(copies.map((c) => ({ templateId, ...c })))
      .execute();
}
