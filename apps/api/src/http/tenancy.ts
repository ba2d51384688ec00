import { AppError, ErrorCode, canSeeInstitution, type Actor } from '@betang/core';
import { findInstitution, type Executor, type InstitutionRow } from '@betang/db';

/**
 * Loads an institution the actor may see. Guarantees: another institution's id answers exactly
 * like a missing one (404), so ids of other tenants cannot be probed.
 */
export async function visibleInstitution(db: Executor, actor: Actor, id: string): Promise<InstitutionRow> {
  if (!canSeeInstitution(actor, id)) throw new AppError(ErrorCode.NotFound);
  const row = await findInstitution(db, id);
  if (!row) throw new AppError(ErrorCode.NotFound);
  return row;
}
