import type { TokenScope } from '@betang/core';
import type { Executor } from '../database';

export type ApiTokenRow = {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** What the token may do (the database CHECK keeps it to the known scopes, at least one). */
  scopes: TokenScope[];
};

const PUBLIC_COLUMNS = ['id', 'userId', 'name', 'prefix', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt', 'scopes'] as const;

/** Stores a token by the hash of its secret, with its scopes and (required) expiry. */
export async function insertApiToken(
  db: Executor,
  values: { userId: string; name: string; prefix: string; tokenHash: string; expiresAt: Date; scopes: readonly TokenScope[] },
): Promise<ApiTokenRow> {
  const row = await db
    .insertInto('apiTokens')
    .values({ ...values, scopes: [...values.scopes] })
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow();
  return asRow(row);
}

// The column is text[] in the schema; the CHECK constraint guarantees only known scopes are stored.
function asRow<T extends { scopes: string[] }>(row: T): T & { scopes: TokenScope[] } {
  return row as T & { scopes: TokenScope[] };
}

/** A user's tokens that are not revoked, newest first. */
export async function listApiTokens(db: Executor, userId: string): Promise<ApiTokenRow[]> {
  return db
    .selectFrom('apiTokens')
    .select(PUBLIC_COLUMNS)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .orderBy('createdAt', 'desc')
    .execute()
    .then((rows) => rows.map(asRow));
}

/** Finds a usable token (not revoked, not expired) by secret hash. */
export async function findUsableApiToken(db: Executor, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('apiTokens')
    .select(PUBLIC_COLUMNS)
    .where('tokenHash', '=', tokenHash)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', new Date())
    .executeTakeFirst()
    .then((row) => row && asRow(row));
}

/** Revokes a user's token; returns false when it is not theirs or already revoked. */
export async function revokeApiToken(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('apiTokens')
    .set({ revokedAt: new Date() })
    .where('id', '=', id)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Revokes every usable token of a user (password reset, change of the second factor); returns how many. */
export async function revokeApiTokensOfUser(db: Executor, userId: string): Promise<number> {
  const result = await db
    .updateTable('apiTokens')
    .set({ revokedAt: new Date() })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Records that a token was used now. */
export async function touchApiToken(db: Executor, id: string): Promise<void> {
  await db.updateTable('apiTokens').set({ lastUsedAt: new Date() }).where('id', '=', id).execute();
}
