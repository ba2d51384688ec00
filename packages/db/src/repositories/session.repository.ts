import type { Executor } from '../database';

/** How a session was opened: Betang's password (and TOTP), or the identity provider (single sign-on). */
export type SessionAuthMethod = 'password' | 'oidc';

export type SessionRow = {
  idHash: string;
  userId: string;
  csrfToken: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  authMethod: SessionAuthMethod;
  /** Until when the session counts as recently re-authenticated at the identity provider; null: never. */
  reauthUntil: Date | null;
  /** That re-authentication was multi-factor at the provider. */
  reauthMfa: boolean;
};

/** Stores a session under the hash of its secret (the secret itself is never stored). */
export async function insertSession(
  db: Executor,
  values: {
    idHash: string;
    userId: string;
    csrfToken: string;
    ip: string | null;
    userAgent: string | null;
    expiresAt: Date;
    /** Default `password`. */
    authMethod?: SessionAuthMethod;
  },
): Promise<void> {
  await db.insertInto('sessions').values(values).execute();
}

/** Finds a session that has not expired; undefined otherwise. */
export async function findLiveSession(db: Executor, idHash: string): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('idHash', '=', idHash)
    .where('expiresAt', '>', new Date())
    .executeTakeFirst();
  return row && { ...row, authMethod: row.authMethod === 'oidc' ? 'oidc' : 'password' };
}

/**
 * Marks a session as re-authenticated at the identity provider until `until` (`mfa`: with more
 * than one factor). Guarantees: only the named, unexpired session changes; returns false when it
 * is gone (signed out meanwhile), so nothing else is marked. Marking again only moves the window.
 */
export async function markSessionReauthenticated(db: Executor, idHash: string, until: Date, mfa: boolean): Promise<boolean> {
  const result = await db
    .updateTable('sessions')
    .set({ reauthUntil: until, reauthMfa: mfa })
    .where('idHash', '=', idHash)
    .where('expiresAt', '>', new Date())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a session as seen now (throttled by the caller). */
export async function touchSession(db: Executor, idHash: string): Promise<void> {
  await db.updateTable('sessions').set({ lastSeenAt: new Date() }).where('idHash', '=', idHash).execute();
}

/** Deletes one session; deleting an absent one is a no-op. */
export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('idHash', '=', idHash).execute();
}

/** Deletes every session of a user (password change, deactivation); returns how many ended. */
export async function deleteSessionsOfUser(db: Executor, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('userId', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes every session of a user except one (the caller's own, kept after changing their second factor); returns how many ended. */
export async function deleteOtherSessionsOfUser(db: Executor, userId: string, keepIdHash: string | undefined): Promise<number> {
  let query = db.deleteFrom('sessions').where('userId', '=', userId);
  if (keepIdHash) query = query.where('idHash', '!=', keepIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes sessions that expired before `now`; returns how many. Safe to run any number of times. */
export async function deleteExpiredSessions(db: Executor, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
