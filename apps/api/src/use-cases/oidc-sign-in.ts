import type { Role } from '@betang/core';
import {
  appendAudit,
  findActiveUserIdsByNip,
  findOidcIdentityOfUser,
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
import type { OidcPerson } from '../security/oidc-relying-party';
import { hashSecret, randomSecret } from '../security/secrets';

type RequestMeta = { requestId: string; ip: string | null; userAgent: string | null };

/** How a validated sign-on ended. */
export type OidcSignInOutcome =
  | { kind: 'signed_in'; user: UserRecord; sessionSecret: string; csrfToken: string; expiresAt: Date }
  | { kind: 'pending'; identityId: string }
  | { kind: 'inactive' };

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
      after: { method: 'oidc', identityId: identity.id, issuer: identity.issuer },
    });
    return { kind: 'signed_in', user, sessionSecret, csrfToken, expiresAt };
  });
}

/** True when one of `roles` may not sign in with a password (OIDC_PASSWORD_DISABLED_ROLES). */
export function passwordDisabledFor(roles: readonly Role[], disabled: readonly string[] | undefined): boolean {
  return (disabled ?? []).some((role) => (roles as readonly string[]).includes(role));
}
