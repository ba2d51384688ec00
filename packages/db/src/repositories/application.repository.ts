import type { ApplicationFields } from '@betang/core';
import type { Selectable } from 'kysely';
import type { Executor } from '../database';
import type { Applications } from '../schema.generated';
import { definedFields } from './patch';

/** An inventory entry as stored (enum columns are checked by the database). */
export type ApplicationRow = Selectable<Applications>;

/** An inventory entry with its owner's code and name, for exports and summaries. */
export type ApplicationWithInstitution = ApplicationRow & { institutionCode: string; institutionName: string };

/** Lists applications ordered by (name, id), optionally of one institution, keyset-paged. */
export async function listApplications(
  db: Executor,
  options: {
    institutionId?: string | undefined;
    /** ILIKE pattern on the name or the description. */
    textLike?: string | undefined;
    limit: number;
    after?: { name: string; id: string } | undefined;
  },
): Promise<ApplicationRow[]> {
  let query = db.selectFrom('applications').selectAll().orderBy('name').orderBy('id').limit(options.limit);
  if (options.institutionId) query = query.where('institutionId', '=', options.institutionId);
  const { textLike } = options;
  if (textLike) query = query.where((eb) => eb.or([eb('name', 'ilike', textLike), eb('description', 'ilike', textLike)]));
  if (options.after) {
    const { name, id } = options.after;
    query = query.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
  }
  return query.execute();
}

/** Every application (optionally of one institution) with its owner, ordered by institution code then name. */
export async function listApplicationsForExport(db: Executor, institutionId?: string): Promise<ApplicationWithInstitution[]> {
  let query = db
    .selectFrom('applications')
    .innerJoin('institutions', 'institutions.id', 'applications.institutionId')
    .selectAll('applications')
    .select(['institutions.code as institutionCode', 'institutions.name as institutionName'])
    .orderBy('institutions.code')
    .orderBy('applications.name');
  if (institutionId) query = query.where('applications.institutionId', '=', institutionId);
  return query.execute();
}

/** Finds one application by id; undefined when absent. */
export async function findApplication(db: Executor, id: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Finds the applications with these ids that belong to `institutionId` (others are left out). */
export async function findApplicationsOfInstitution(
  db: Executor,
  institutionId: string,
  ids: readonly string[],
): Promise<ApplicationRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('applications')
    .selectAll()
    .where('institutionId', '=', institutionId)
    .where('id', 'in', [...ids])
    .orderBy('name')
    .execute();
}

/** Finds an application by its (unique per institution) name. */
export async function findApplicationByName(db: Executor, institutionId: string, name: string): Promise<ApplicationRow | undefined> {
  return db.selectFrom('applications').selectAll().where('institutionId', '=', institutionId).where('name', '=', name).executeTakeFirst();
}

/** Inserts an application; the unique (institution, name) pair is enforced by the database. */
export async function insertApplication(db: Executor, institutionId: string, fields: ApplicationFields): Promise<ApplicationRow> {
  return db
    .insertInto('applications')
    .values({ ...fields, institutionId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Updates the given fields; returns the new row, undefined when absent. */
export async function updateApplication(db: Executor, id: string, patch: Partial<ApplicationFields>): Promise<ApplicationRow | undefined> {
  const fields = definedFields(patch);
  if (!fields) return findApplication(db, id);
  return db.updateTable('applications').set(fields).where('id', '=', id).returningAll().executeTakeFirst();
}

/**
 * True when the application is referenced by a VPS request or an agreement, so deleting it
 * would break that history (the caller answers 409 instead).
 */
export async function isApplicationReferenced(db: Executor, id: string): Promise<boolean> {
  const [request, agreement] = await Promise.all([
    db.selectFrom('vpsRequests').select('id').where('applicationId', '=', id).limit(1).executeTakeFirst(),
    db.selectFrom('agreementApplications').select('agreementId').where('applicationId', '=', id).limit(1).executeTakeFirst(),
  ]);
  return Boolean(request ?? agreement);
}

/** Deletes an application; returns false when it did not exist. */
export async function deleteApplication(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('applications').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
