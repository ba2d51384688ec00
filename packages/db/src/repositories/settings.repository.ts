import type { z } from 'zod';
import type { Executor } from '../database';

/**
 * Reads a setting and validates it with `schema`; returns `fallback` when absent.
 * A stored value that no longer matches the schema is an error (never silently replaced).
 */
export async function getSetting<T extends z.ZodType>(db: Executor, key: string, schema: T, fallback: z.infer<T>): Promise<z.infer<T>> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? schema.parse(row.value) : fallback;
}

/** Stores a setting (insert or replace). */
export async function putSetting(db: Executor, key: string, value: unknown, updatedBy: string | null): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updatedBy, updatedAt: new Date() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updatedBy, updatedAt: new Date() }))
    .execute();
}
