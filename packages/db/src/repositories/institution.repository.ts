import type { Executor } from '../database';
import { definedFields } from './patch';

/** Columns of an institution as the application uses them. */
export type InstitutionRow = {
  id: string;
  code: string;
  name: string;
  address: string | null;
  createdAt: Date;
  updatedAt: Date;
};

/** Lists institutions (optionally only `onlyId`), ordered by name, keyset-paged by (name, id). */
export async function listInstitutions(
  db: Executor,
  options: { limit: number; after?: { name: string; id: string }; onlyId?: string },
): Promise<InstitutionRow[]> {
  let query = db.selectFrom('institutions').selectAll().orderBy('name').orderBy('id').limit(options.limit);
  if (options.onlyId) query = query.where('id', '=', options.onlyId);
  if (options.after) {
    const { name, id } = options.after;
    query = query.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
  }
  return query.execute();
}

/** Finds one institution by id; undefined when absent. */
export async function findInstitution(db: Executor, id: string): Promise<InstitutionRow | undefined> {
  return db.selectFrom('institutions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Finds one institution by its code; undefined when absent. */
export async function findInstitutionByCode(db: Executor, code: string): Promise<InstitutionRow | undefined> {
  return db.selectFrom('institutions').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Inserts an institution; the unique code is enforced by the database. */
export async function insertInstitution(
  db: Executor,
  values: { code: string; name: string; address?: string | null },
): Promise<InstitutionRow> {
  return db.insertInto('institutions').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Updates the given fields; returns the new row, undefined when absent. */
export async function updateInstitution(
  db: Executor,
  id: string,
  patch: { name?: string; address?: string | null },
): Promise<InstitutionRow | undefined> {
  // An empty patch (PATCH with `{}`) changes nothing (found by the fuzz tests).
  const fields = definedFields(patch);
  if (!fields) return findInstitution(db, id);
  return db.updateTable('institutions').set(fields).where('id', '=', id).returningAll().executeTakeFirst();
}
