import {
  appendAudit,
  findActiveUserIdsByNip,
  findOidcIdentity,
  findOidcIdentityOfUser,
  findOidcSecondFactor,
  insertOidcSecondFactor,
  takeOidcSecondFactor,
  findUserByEmail,
  findUserById,
  insertSession,
  linkOidcIdentity,
  recordLoginSuccess,
  upsertOidcIdentity,
  type Db,
  type OidcIdentityRow,
  type Tx,
  type UserRecord,
} from '@betang/db';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../security/login-throttle';
import type { OidcPerson } from '../security/oidc-relying-party';
import { hashSecret, randomSecret } from '../security/secrets';
import type { TotpSecretBox } from '../security/totp-secret-box';
import { checkTotpCode } from './sign-in';

type RequestMeta = { requestId: string; ip: string | null; userAgent: string | null };

/** How a validated sign-on ended. */
export type OidcSignInOutcome =
  | { kind: 'signed_in'; user: UserRecord; sessionSecret: string; csrfToken: string; expiresAt: Date }
  /** The user enrolled TOTP in Betang and the provider used one factor: `secret` (for the browser's cookie) waits for a code. */
  | { kind: 'totp_required'; secret: string; expiresAt: Date }
  | { kind: 'pending'; identityId: string }
  | { kind: 'inactive' };

/** A session made by single sign-on, as it goes into the browser's cookie. */
type OidcSession = { sessionSecret: string; csrfToken: string; expiresAt: Date };

/** How long a sign-on that still needs Betang's TOTP code waits for it. */
export const OIDC_SECOND_FACTOR_TTL_SECONDS = 5 * 60;

/** Opens an SSO session for `user` in the caller's transaction and audits the sign-in. */
async function openOidcSession(
  tx: Tx,
  user: UserRecord,
  identity: Pick<OidcIdentityRow, 'id' | 'issuer'>,
  meta: RequestMeta,
  options: { sessionTtlHours: number; secondFactor: 'provider' | 'betang_totp' | 'none' },
): Promise<OidcSession> {
  const sessionSecret = randomSecret(32);
  const csrfToken = randomSecret(24);
  const expiresAt = new Date(Date.now() + options.sessionTtlHours * 3_600_000);
  await insertSession(tx, {
    idHash: hashSecret(sessionSecret),
    userId: user.id,
    csrfToken,
    ip: meta.ip,
    userAgent: meta.userAgent,
    expiresAt,
    authMethod: 'oidc',
  });
  await recordLoginSuccess(tx, user.id);
  await appendAudit(tx, {
    ...meta,
    actorUserId: user.id,
    actorLabel: `${user.name} <${user.email}>`,
    institutionId: user.institutionId,
    action: 'auth.login_succeeded',
    targetType: 'user',
    targetId: user.id,
    after: { method: 'oidc', identityId: identity.id, issuer: identity.issuer, secondFactor: options.secondFactor },
  });
  return { sessionSecret, csrfToken, expiresAt };
}

/**
 * The active user this person is: the one their identity is already linked to; else the one
 * whose e-mail the provider verified; else the only active user with their NIP. A match whose
 * user is already linked to another subject of the same provider is no match (an admin decides).
 */
async function matchUser(
  tx: Tx,
  identity: OidcIdentityRow,
  person: OidcPerson,
): Promise<{ user: UserRecord; by: 'email' | 'nip' } | undefined> {
  const candidates: { user: UserRecord | undefined; by: 'email' | 'nip' }[] = [];
  if (person.email && person.emailVerified) candidates.push({ user: await findUserByEmail(tx, person.email), by: 'email' });
  if (person.nip) {
    const ids = await findActiveUserIdsByNip(tx, person.nip);
    if (ids.length === 1) candidates.push({ user: await findUserById(tx, ids[0]!), by: 'nip' });
  }
  for (const { user, by } of candidates) {
    if (!user?.isActive) continue;
    const linked = await findOidcIdentityOfUser(tx, user.id, identity.issuer);
    if (linked && linked.id !== identity.id) continue;
    return { user, by };
  }
  return undefined;
}

/**
 * Signs in a person the identity provider vouched for (their ID token already validated).
 * A user who enrolled TOTP in Betang gets a session only after their code (see
 * {@link finishOidcSecondFactor}) unless the ID token shows the provider used more than one factor.
 * Guarantees: roles and institutions stay Betang's — a person gets a session only as an active
 * Betang user they are linked to (earlier, or now by verified e-mail or a unique NIP); anyone
 * else is recorded as a pending identity and gets nothing; a linked but deactivated user gets
 * nothing. Everything happens in one transaction (identity, link, session, audit), so a failure
 * leaves nothing half-written; signing in twice only refreshes the identity and adds a session.
 */
export async function signInWithOidc(
  db: Db,
  person: OidcPerson,
  meta: RequestMeta,
  options: { sessionTtlHours: number },
): Promise<OidcSignInOutcome> {
  return db.transaction().execute(async (tx) => {
    let identity = await upsertOidcIdentity(tx, person);
    const label = `${person.name ?? person.email ?? person.subject} <${person.email ?? person.subject}> (SSO)`;
    let user = identity.userId ? await findUserById(tx, identity.userId) : undefined;
    if (!identity.userId) {
      const match = await matchUser(tx, identity, person);
      if (match && (await linkOidcIdentity(tx, identity.id, match.user.id, null))) {
        user = match.user;
        identity = { ...identity, userId: match.user.id };
        await appendAudit(tx, {
          ...meta,
          actorUserId: match.user.id,
          actorLabel: label,
          institutionId: match.user.institutionId,
          action: 'auth.sso_linked',
          targetType: 'user',
          targetId: match.user.id,
          after: { identityId: identity.id, issuer: identity.issuer, subject: identity.subject, by: match.by },
        });
      }
    }

    if (!user) {
      await appendAudit(tx, {
        ...meta,
        actorUserId: null,
        actorLabel: label,
        institutionId: null,
        action: 'auth.sso_pending',
        targetType: 'oidc_identity',
        targetId: identity.id,
        after: {
          issuer: identity.issuer,
          subject: identity.subject,
          email: person.email,
          emailVerified: person.emailVerified,
          nip: person.nip,
        },
      });
      return { kind: 'pending', identityId: identity.id };
    }
    if (!user.isActive) {
      await appendAudit(tx, {
        ...meta,
        actorUserId: user.id,
        actorLabel: label,
        institutionId: user.institutionId,
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user.id,
        after: { reason: 'inactive', method: 'oidc', identityId: identity.id },
      });
      return { kind: 'inactive' };
    }

    // Betang's own second factor, unless the provider already did more than one (docs/sso.md).
    if (user.totpSecret !== null && !person.multiFactor) {
      const secret = randomSecret(32);
      const expiresAt = new Date(Date.now() + OIDC_SECOND_FACTOR_TTL_SECONDS * 1000);
      await insertOidcSecondFactor(tx, { idHash: hashSecret(secret), userId: user.id, identityId: identity.id, expiresAt });
      return { kind: 'totp_required', secret, expiresAt };
    }
    const session = await openOidcSession(tx, user, identity, meta, {
      sessionTtlHours: options.sessionTtlHours,
      secondFactor: user.totpSecret !== null ? 'provider' : 'none',
    });
    return { kind: 'signed_in', user, ...session };
  });
}

/** How the TOTP step after single sign-on ended. */
export type OidcSecondFactorOutcome =
  | { kind: 'signed_in'; user: UserRecord; sessionSecret: string; csrfToken: string; expiresAt: Date }
  /** No sign-on waits under this secret (used, expired, unknown, or the user's TOTP or account changed meanwhile): sign on again. */
  | { kind: 'expired' }
  | { kind: 'wrong_code' }
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'unreadable' };

/**
 * Finishes a sign-on that waits for Betang's TOTP code (the browser's secret from
 * {@link signInWithOidc}). Guarantees: the code is checked like at a password sign-in (each code
 * accepted once, counted towards the sign-in delays of the user's e-mail from this address,
 * failures audited); the waiting sign-on becomes at most one session (taken atomically with the
 * session's creation, so the same right code sent twice makes one session); a wrong code leaves
 * it waiting until it expires, so the person can correct a typo.
 */
export async function finishOidcSecondFactor(
  db: Db,
  secret: string,
  code: string,
  meta: RequestMeta,
  options: { sessionTtlHours: number; throttle: LoginThrottle; totpBox: TotpSecretBox; logger?: Logger },
): Promise<OidcSecondFactorOutcome> {
  const idHash = hashSecret(secret);
  const waiting = await findOidcSecondFactor(db, idHash);
  const user = waiting ? await findUserById(db, waiting.userId) : undefined;
  if (!waiting || !user?.isActive || user.totpSecret === null) return { kind: 'expired' };
  const ip = meta.ip ?? 'unknown';
  const claim = await options.throttle.claim(user.email, ip);
  const check = claim.allowed ? await checkTotpCode(db, options.totpBox, user, code, options.logger) : 'throttled';
  if (check !== null) {
    await appendAudit(db, {
      ...meta,
      actorUserId: user.id,
      actorLabel: `${user.name} <${user.email}>`,
      institutionId: user.institutionId,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user.id,
      after: { reason: check, method: 'oidc', identityId: waiting.identityId },
    });
    if (!claim.allowed) return { kind: 'throttled', retryAfterSeconds: claim.retryAfterSeconds };
    return check === 'totp_unreadable' ? { kind: 'unreadable' } : { kind: 'wrong_code' };
  }
  await options.throttle.succeeded(user.email, ip);
  return db.transaction().execute(async (tx) => {
    const taken = await takeOidcSecondFactor(tx, idHash);
    const identity = taken ? await findOidcIdentity(tx, taken.identityId) : undefined;
    if (!taken || !identity) return { kind: 'expired' } as const;
    const session = await openOidcSession(tx, user, identity, meta, {
      sessionTtlHours: options.sessionTtlHours,
      secondFactor: 'betang_totp',
    });
    return { kind: 'signed_in', user, ...session } as const;
  });
}
