import { sql } from 'kysely';
import type { Executor } from '../database';

/** Why a sign-on was started: a new session, or a fresh login at the provider for an existing one. */
export type OidcLoginPurpose = 'sign_in' | 'reauth';

/** What a started single sign-on needs back at its callback. */
export type OidcLoginState = {
  nonce: string;
  codeVerifier: string;
  purpose: OidcLoginPurpose;
  /** For `reauth`: the hash of the session that asked (only that session is marked). */
  sessionHash: string | null;
  /** For `reauth`: the web path to return to. */
  returnTo: string | null;
};

/**
 * Stores a started sign-on under the hash of its `state` (the caller hashes; the value stays in
 * the browser's cookie), and deletes states that ended more than a day ago, so the table stays small.
 */
export async function insertOidcLoginState(
  db: Executor,
  state: {
    stateHash: string;
    nonce: string;
    codeVerifier: string;
    expiresAt: Date;
    /** Default `sign_in`. */
    purpose?: OidcLoginPurpose;
    sessionHash?: string;
    returnTo?: string;
  },
): Promise<void> {
  await db.insertInto('oidcLoginStates').values(state).execute();
  await db
    .deleteFrom('oidcLoginStates')
    .where('expiresAt', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
}

/**
 * Takes a started sign-on. Guarantees: one atomic UPDATE that succeeds only for a state not taken
 * and not expired, so a state is accepted once, also when a callback arrives twice in parallel;
 * returns what its start kept, or undefined when refused (unknown, used or expired).
 */
export async function takeOidcLoginState(db: Executor, stateHash: string): Promise<OidcLoginState | undefined> {
  const row = await db
    .updateTable('oidcLoginStates')
    .set({ usedAt: sql<Date>`now()` })
    .where('stateHash', '=', stateHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .returning(['nonce', 'codeVerifier', 'purpose', 'sessionHash', 'returnTo'])
    .executeTakeFirst();
  return row && { ...row, purpose: row.purpose === 'reauth' ? 'reauth' : 'sign_in' };
}

/**
 * Keeps a sign-on that still needs Betang's TOTP code, under the hash of the secret the browser
 * holds; deletes ones that ended more than a day ago.
 */
export async function insertOidcSecondFactor(
  db: Executor,
  row: { idHash: string; userId: string; identityId: string; expiresAt: Date },
): Promise<void> {
  await db.insertInto('oidcSecondFactors').values(row).execute();
  await db
    .deleteFrom('oidcSecondFactors')
    .where('expiresAt', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
}

/** The unexpired, untaken sign-on waiting for a TOTP code under `idHash` (read only). */
export async function findOidcSecondFactor(db: Executor, idHash: string): Promise<{ userId: string; identityId: string } | undefined> {
  return db
    .selectFrom('oidcSecondFactors')
    .select(['userId', 'identityId'])
    .where('idHash', '=', idHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Takes a sign-on waiting for its TOTP code. Guarantees: one atomic UPDATE, so it becomes at most
 * one session even when the right code is sent twice in parallel; undefined when used or expired.
 */
export async function takeOidcSecondFactor(db: Executor, idHash: string): Promise<{ userId: string; identityId: string } | undefined> {
  return db
    .updateTable('oidcSecondFactors')
    .set({ usedAt: sql<Date>`now()` })
    .where('idHash', '=', idHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .returning(['userId', 'identityId'])
    .executeTakeFirst();
}

/** A person as the identity provider names them, linked to a Betang user or waiting for an admin. */
export type OidcIdentityRow = {
  id: string;
  issuer: string;
  subject: string;
  userId: string | null;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  nip: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  linkedAt: Date | null;
  linkedBy: string | null;
};

/** What the provider said about a person at one sign-in. */
export type OidcClaimsSeen = {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  nip: string | null;
};

/**
 * Records a sign-in of `claims`' person: inserts the identity the first time, refreshes what the
 * provider says about them (e-mail, name, NIP, last seen) afterwards; keeps its link. Safe to run
 * any number of times (an upsert on issuer + subject).
 */
export async function upsertOidcIdentity(db: Executor, claims: OidcClaimsSeen): Promise<OidcIdentityRow> {
  return (
    db
      .insertInto('oidcIdentities')
      // Named one by one: callers pass richer objects (a validated person with its authentication details).
      .values({
        issuer: claims.issuer,
        subject: claims.subject,
        email: claims.email,
        emailVerified: claims.emailVerified,
        name: claims.name,
        nip: claims.nip,
      })
      .onConflict((oc) =>
        oc.columns(['issuer', 'subject']).doUpdateSet({
          email: claims.email,
          emailVerified: claims.emailVerified,
          name: claims.name,
          nip: claims.nip,
          lastSeenAt: sql<Date>`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow()
  );
}

/**
 * Links an identity to a user. Guarantees: only an identity not linked yet is changed (compare and
 * set), so two admins or two sign-ins cannot link it twice; returns false when it was already linked.
 */
export async function linkOidcIdentity(db: Executor, id: string, userId: string, linkedBy: string | null): Promise<boolean> {
  const result = await db
    .updateTable('oidcIdentities')
    .set({ userId, linkedBy, linkedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('userId', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** One identity by id. */
export async function findOidcIdentity(db: Executor, id: string): Promise<OidcIdentityRow | undefined> {
  return db.selectFrom('oidcIdentities').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The identity of `userId` at `issuer`, if linked. */
export async function findOidcIdentityOfUser(db: Executor, userId: string, issuer: string): Promise<OidcIdentityRow | undefined> {
  return db.selectFrom('oidcIdentities').selectAll().where('userId', '=', userId).where('issuer', '=', issuer).executeTakeFirst();
}

/** Identities waiting for an admin (no user yet), oldest first, after `afterId` in id order for paging. */
export async function listPendingOidcIdentities(db: Executor, options: { limit: number; afterId?: string }): Promise<OidcIdentityRow[]> {
  let query = db.selectFrom('oidcIdentities').selectAll().where('userId', 'is', null).orderBy('id').limit(options.limit);
  if (options.afterId) query = query.where('id', '>', options.afterId);
  return query.execute();
}

/** The active users whose NIP is `nip` (NIP is not unique in the schema: the caller refuses an ambiguous match). */
export async function findActiveUserIdsByNip(db: Executor, nip: string): Promise<string[]> {
  const rows = await db.selectFrom('users').select('id').where('nip', '=', nip).where('isActive', '=', true).limit(2).execute();
  return rows.map((r) => r.id);
}
