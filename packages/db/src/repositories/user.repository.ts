import type { Role, TokenScope } from '@betang/core';
import type { Executor, Tx } from '../database';
import type { ApiTokenRow } from './api-token.repository';
import { preparedQuery } from './prepared-query';
import type { SessionRow } from './session.repository';
import { definedFields } from './patch';

/** A user with roles, as the application uses it (secrets included: never serialise directly). */
export type UserRecord = {
  id: string;
  institutionId: string | null;
  email: string;
  name: string;
  nip: string | null;
  position: string | null;
  phone: string | null;
  passwordHash: string;
  /** `enc:v1:` (sealed by the API); a plain base32 value only in rows the API has not sealed yet. */
  totpSecret: string | null;
  /** The last accepted TOTP time-step (30 s counter); a code of this step or an earlier one is refused. */
  totpLastStep: number | null;
  /** Set by an admin's TOTP reset: the user must enrol an authenticator at the next sign-in, whatever their role. */
  totpEnrolmentRequired: boolean;
  locale: 'id' | 'en';
  isActive: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  roles: Role[];
};

function baseQuery(db: Executor) {
  return db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) =>
      eb
        .selectFrom('userRoles')
        .select(({ fn }) => fn.coalesce(fn<string[]>('array_agg', ['userRoles.role']), eb.val<string[]>([])).as('r'))
        .whereRef('userRoles.userId', '=', 'users.id')
        .as('roles'),
    );
}

type RawUser = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function toRecord(row: RawUser): UserRecord {
  return { ...row, locale: row.locale === 'en' ? 'en' : 'id', roles: ((row.roles ?? []) as Role[]).sort() };
}

/** Finds a user by id with roles. */
export async function findUserById(db: Executor, id: string): Promise<UserRecord | undefined> {
  const row = await baseQuery(db).where('users.id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Finds a user by (lower-case) e-mail with roles. */
export async function findUserByEmail(db: Executor, email: string): Promise<UserRecord | undefined> {
  const row = await baseQuery(db).where('users.email', '=', email.toLowerCase()).executeTakeFirst();
  return row && toRecord(row);
}

/** Lists users, optionally of one institution (`null` = data-center staff), ordered by name. */
export async function listUsers(
  db: Executor,
  options: {
    institutionId?: string | null;
    limit: number;
    afterId?: string | undefined;
    /** ILIKE pattern on the name or the e-mail. */
    textLike?: string | undefined;
  },
): Promise<UserRecord[]> {
  let query = baseQuery(db).orderBy('users.id').limit(options.limit);
  const { textLike } = options;
  if (textLike) query = query.where((eb) => eb.or([eb('users.name', 'ilike', textLike), eb('users.email', 'ilike', textLike)]));
  if (options.institutionId === null) query = query.where('users.institutionId', 'is', null);
  else if (options.institutionId) query = query.where('users.institutionId', '=', options.institutionId);
  if (options.afterId) query = query.where('users.id', '>', options.afterId);
  return (await query.execute()).map(toRecord);
}

type NewUser = {
  institutionId: string | null;
  email: string;
  name: string;
  passwordHash: string;
  roles: readonly Role[];
  nip?: string | null;
  position?: string | null;
  phone?: string | null;
  locale?: 'id' | 'en';
};

/** Inserts a user and its roles in the caller's transaction (unique e-mail enforced by the database). */
export async function insertUser(tx: Tx, user: NewUser): Promise<UserRecord> {
  const { roles, ...values } = user;
  const row = await tx.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow();
  await tx
    .insertInto('userRoles')
    .values(roles.map((role) => ({ userId: row.id, role })))
    .execute();
  return (await findUserById(tx, row.id))!;
}

type UserPatch = Partial<{
  /** Only the admin's move of a user between institutions sets it (move-user use case). */
  institutionId: string;
  name: string;
  nip: string | null;
  position: string | null;
  phone: string | null;
  locale: 'id' | 'en';
  isActive: boolean;
  passwordHash: string;
  totpSecret: string | null;
}>;

/** Updates fields and, when given, replaces the role set; in the caller's transaction. */
export async function updateUser(tx: Tx, id: string, patch: UserPatch, roles?: readonly Role[]): Promise<UserRecord | undefined> {
  const fields = definedFields(patch);
  if (fields) await tx.updateTable('users').set(fields).where('id', '=', id).execute();
  if (roles) {
    await tx.deleteFrom('userRoles').where('userId', '=', id).execute();
    await tx
      .insertInto('userRoles')
      .values(roles.map((role) => ({ userId: id, role })))
      .execute();
  }
  return findUserById(tx, id);
}

/** Records a successful sign-in (its time). */
export async function recordLoginSuccess(db: Executor, id: string): Promise<void> {
  await db.updateTable('users').set({ lastLoginAt: new Date() }).where('id', '=', id).execute();
}

/**
 * Accepts a TOTP time-step for a user once. Guarantees: one atomic UPDATE that succeeds only when
 * `step` is later than the last accepted one, so a code (or an earlier one) is never accepted
 * twice, also when the same code arrives in parallel requests (the second waits for the first
 * one's row lock and then finds the step taken). Returns false when the step was refused.
 */
export async function consumeTotpStep(db: Executor, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totpLastStep: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totpLastStep', 'is', null), eb('totpLastStep', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Replaces a user's TOTP secret (already sealed by the caller; null switches TOTP off) and the
 * last accepted step (the step of the code that confirmed the new secret, so that code cannot
 * sign in afterwards), in the caller's transaction. Enrolling a secret fulfils a pending
 * re-enrolment; switching TOTP off sets one only when `requireEnrolment` says so (an admin's reset).
 */
export async function setTotpSecret(
  tx: Tx,
  userId: string,
  sealedSecret: string | null,
  lastStep: number | null,
  requireEnrolment = false,
): Promise<void> {
  await tx
    .updateTable('users')
    .set({ totpSecret: sealedSecret, totpLastStep: lastStep, totpEnrolmentRequired: sealedSecret === null && requireEnrolment })
    .where('id', '=', userId)
    .execute();
}

/** Users whose TOTP secret is still stored in plain text (not `enc:v1:`), up to `limit`. */
export async function listPlainTotpSecrets(db: Executor, limit = 1000): Promise<{ id: string; totpSecret: string }[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'totpSecret'])
    .where('totpSecret', 'is not', null)
    .where('totpSecret', 'not like', 'enc:v1:%')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, totpSecret: row.totpSecret! }));
}

/**
 * Replaces a plain TOTP secret by its sealed form. Guarantees: compare-and-set on the plain
 * value, so a secret changed meanwhile (re-enrolment) is never overwritten; true when replaced.
 */
export async function replacePlainTotpSecret(db: Executor, userId: string, plain: string, sealed: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totpSecret: sealed })
    .where('id', '=', userId)
    .where('totpSecret', '=', plain)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A live session together with its user, as {@link findLiveSessionWithUser} returns it. */
type SessionWithUser = { session: SessionRow; user: UserRecord };

// The status-read hot path: compiled once per executor (see preparedQuery).
const liveSessionWithUser = preparedQuery(2, (db: Executor, idHash: string, now: Date) =>
  baseQuery(db)
    .innerJoin('sessions', 'sessions.userId', 'users.id')
    .select([
      'sessions.idHash as sessionIdHash',
      'sessions.userId as sessionUserId',
      'sessions.csrfToken as sessionCsrfToken',
      'sessions.ip as sessionIp',
      'sessions.userAgent as sessionUserAgent',
      'sessions.createdAt as sessionCreatedAt',
      'sessions.lastSeenAt as sessionLastSeenAt',
      'sessions.expiresAt as sessionExpiresAt',
      'sessions.authMethod as sessionAuthMethod',
      'sessions.reauthUntil as sessionReauthUntil',
      'sessions.reauthMfa as sessionReauthMfa',
    ])
    .where('sessions.idHash', '=', idHash)
    .where('sessions.expiresAt', '>', now),
);

/**
 * Finds a session that has not expired and its user (with roles) in ONE round trip.
 * Guarantees: `user` has exactly the shape {@link findUserById} returns; undefined when the
 * session is unknown or expired. Whether the user is active is left to the caller.
 */
export async function findLiveSessionWithUser(db: Executor, idHash: string): Promise<SessionWithUser | undefined> {
  const [row] = await liveSessionWithUser(db, idHash, new Date());
  if (!row) return undefined;
  const {
    sessionIdHash,
    sessionUserId,
    sessionCsrfToken,
    sessionIp,
    sessionUserAgent,
    sessionCreatedAt,
    sessionLastSeenAt,
    sessionExpiresAt,
    sessionAuthMethod,
    sessionReauthUntil,
    sessionReauthMfa,
    ...user
  } = row;
  return {
    session: {
      idHash: sessionIdHash,
      userId: sessionUserId,
      csrfToken: sessionCsrfToken,
      ip: sessionIp,
      userAgent: sessionUserAgent,
      createdAt: sessionCreatedAt,
      lastSeenAt: sessionLastSeenAt,
      expiresAt: sessionExpiresAt,
      authMethod: sessionAuthMethod === 'oidc' ? 'oidc' : 'password',
      reauthUntil: sessionReauthUntil,
      reauthMfa: sessionReauthMfa,
    },
    user: toRecord(user),
  };
}

/** A usable API token together with its user, as {@link findUsableApiTokenWithUser} returns it. */
type ApiTokenWithUser = { token: ApiTokenRow; user: UserRecord };

// Every API-token call: compiled once per executor (see preparedQuery).
const usableApiTokenWithUser = preparedQuery(2, (db: Executor, tokenHash: string, now: Date) =>
  baseQuery(db)
    .innerJoin('apiTokens', 'apiTokens.userId', 'users.id')
    .select([
      'apiTokens.id as tokenId',
      'apiTokens.userId as tokenUserId',
      'apiTokens.name as tokenName',
      'apiTokens.prefix as tokenPrefix',
      'apiTokens.createdAt as tokenCreatedAt',
      'apiTokens.expiresAt as tokenExpiresAt',
      'apiTokens.lastUsedAt as tokenLastUsedAt',
      'apiTokens.revokedAt as tokenRevokedAt',
      'apiTokens.scopes as tokenScopes',
    ])
    .where('apiTokens.tokenHash', '=', tokenHash)
    .where('apiTokens.revokedAt', 'is', null)
    .where('apiTokens.expiresAt', '>', now),
);

/**
 * Finds a usable API token (not revoked, not expired) by secret hash and its user (with roles) in
 * ONE round trip. Guarantees: `token` has the columns {@link findUsableApiToken} returns and `user`
 * the shape {@link findUserById} returns; undefined when no usable token matches. Whether the
 * user is active is left to the caller.
 */
export async function findUsableApiTokenWithUser(db: Executor, tokenHash: string): Promise<ApiTokenWithUser | undefined> {
  const [row] = await usableApiTokenWithUser(db, tokenHash, new Date());
  if (!row) return undefined;
  const {
    tokenId,
    tokenUserId,
    tokenName,
    tokenPrefix,
    tokenCreatedAt,
    tokenExpiresAt,
    tokenLastUsedAt,
    tokenRevokedAt,
    tokenScopes,
    ...user
  } = row;
  return {
    token: {
      id: tokenId,
      userId: tokenUserId,
      name: tokenName,
      prefix: tokenPrefix,
      createdAt: tokenCreatedAt,
      expiresAt: tokenExpiresAt,
      lastUsedAt: tokenLastUsedAt,
      revokedAt: tokenRevokedAt,
      // text[] in the schema; the api_tokens_scopes_known CHECK keeps it to TOKEN_SCOPES.
      scopes: tokenScopes as TokenScope[],
    },
    user: toRecord(user),
  };
}
