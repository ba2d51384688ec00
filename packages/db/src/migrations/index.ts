import type { Migration } from 'kysely';
import * as initialSchema from './20261127T2100_initial_schema';

/**
 * Every migration, by timestamp name. Listed explicitly (no directory scan) so the same set
 * runs under node, tsx and jest; names sort chronologically.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '20261127T2100_initial_schema': initialSchema,
};
