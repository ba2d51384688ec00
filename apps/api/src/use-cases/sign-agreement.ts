import {
  AppError,
  ErrorCode,
  Role,
  canSeeInstitution,
  canTransitionAgreement,
  hasAnyRole,
  nextSignerRole,
  todayInJakarta,
  type SignAgreementBody,
} from '@betang/core';
import {
  appendAudit,
  findAgreementMeta,
  findInstitution,
  insertAgreementSignature,
  listAgreementSignatures,
  lockAgreement,
  updateAgreementDocument,
  type Db,
  type UserRecord,
} from '@betang/db';
import { DATA_CENTER_OFFICE_NAME, createInternalCaSigner, sha256Hex, signPdfIncrementally } from '@betang/documents';
import type { Logger } from 'pino';
import { actorOf, type auditContext } from '../http/context';
import { notifyAgreementStep } from './agreement-notifications';
import { coverVmsByAgreement } from './leases/cover-vms';
import { SIGNER_ROLE_LABELS, consentText } from './agreement-view';
import { reauthenticate } from './reauthenticate';
import { ensureSignerCredential } from './signing-keys';

const outOfOrder = () =>
  new AppError(ErrorCode.InvalidState, {
    id: 'Bukan giliran Anda menandatangani perjanjian ini (urutan: kepala perangkat daerah, lalu Kepala Diskominfosantik), atau Anda sudah menandatanganinya.',
    en: 'It is not your turn to sign this agreement (order: institution head, then data-center head), or you have signed it already.',
  });

/**
 * Signs an agreement as the next expected signer (institution head of that institution, then a
 * data-center head) with the signer's internal-CA key, appending one incremental PAdES revision.
 * Guarantees: re-authentication first (failures audited, 401); the agreement row is locked, so
 * two signatures can never race; the signed hash is the one the signer saw (`expectedSha256`,
 * else 409); document, status, signature record (consent, time, IP, user agent, hashes before
 * and after) and audit entry commit together or not at all. Out of order or twice → 409.
 */
export async function signAgreement(
  db: Db,
  input: {
    agreementId: string;
    user: UserRecord;
    body: SignAgreementBody;
    /** The session's re-authentication at the identity provider, which stands in for a missing password. */
    ssoReauth?: { until: Date; multiFactor: boolean } | undefined;
    audit: ReturnType<typeof auditContext>;
    masterSecret: string;
    /** OIDC_PASSWORD_DISABLED_ROLES (reauthenticate). */
    passwordDisabledRoles: readonly string[] | undefined;
    logger?: Logger;
    now?: Date;
  },
): Promise<void> {
  const { user, body } = input;
  const meta = await findAgreementMeta(db, input.agreementId);
  if (!meta || !canSeeInstitution(actorOf({ user, via: 'session' }), meta.institutionId)) throw new AppError(ErrorCode.NotFound);
  const isInstitutionHead = user.roles.includes(Role.InstitutionHead) && user.institutionId === meta.institutionId;
  const isDcHead = hasAnyRole(actorOf({ user, via: 'session' }), [Role.DcHead]);
  if (!isInstitutionHead && !isDcHead) throw new AppError(ErrorCode.Forbidden);
  const expected = nextSignerRole(meta.status);
  if (!expected || (expected === 'institution_head' ? !isInstitutionHead : !isDcHead)) throw outOfOrder();

  await reauthenticate(db, {
    userId: user.id,
    password: body.password,
    ssoReauth: input.ssoReauth,
    totp: body.totp,
    action: 'agreement.sign',
    target: { type: 'agreement', id: meta.id, institutionId: meta.institutionId },
    audit: input.audit,
    masterSecret: input.masterSecret,
    passwordDisabledRoles: input.passwordDisabledRoles,
    logger: input.logger,
  });
  const institution = await findInstitution(db, meta.institutionId);
  const organization = expected === 'institution_head' ? institution!.name : DATA_CENTER_OFFICE_NAME;
  const credential = await ensureSignerCredential(db, input.masterSecret, user, {
    title: user.position ?? SIGNER_ROLE_LABELS[expected].id,
    organization,
  });

  await db.transaction().execute(async (tx) => {
    const agreement = await lockAgreement(tx, meta.id);
    if (!agreement || nextSignerRole(agreement.status) !== expected) throw outOfOrder();
    if (body.expectedSha256 && body.expectedSha256 !== agreement.currentSha256) {
      throw new AppError(
        ErrorCode.Conflict,
        {
          id: 'Dokumen telah berubah sejak Anda melihatnya; periksa kembali hash SHA-256 lalu tanda tangani lagi.',
          en: 'The document changed since you viewed it; check the SHA-256 again and sign again.',
        },
        { currentSha256: agreement.currentSha256 },
      );
    }
    const now = input.now ?? new Date();
    if (todayInJakarta(now) > agreement.termEnd)
      throw new AppError(ErrorCode.InvalidState, {
        id: 'Masa berlaku perjanjian sudah lewat.',
        en: 'The agreement term has already ended.',
      });
    const signed = await signPdfIncrementally(agreement.currentDocument, createInternalCaSigner(credential, input.masterSecret), {
      signerName: user.name,
      reason: `Menyetujui Perjanjian Nomor ${agreement.number} sebagai ${SIGNER_ROLE_LABELS[expected].id}`,
      location: 'Palangka Raya',
      contactInfo: organization,
      signedAt: now,
    });
    const sha256 = sha256Hex(signed);
    const status = expected === 'institution_head' ? 'awaiting_dc_head' : 'in_force';
    if (!canTransitionAgreement(agreement.status, status)) throw outOfOrder();
    const position = (await listAgreementSignatures(tx, agreement.id)).length + 1;
    await updateAgreementDocument(tx, agreement.id, { document: signed, sha256, status });
    await insertAgreementSignature(tx, {
      agreementId: agreement.id,
      position,
      signerRole: expected,
      signerName: user.name,
      signerUserId: user.id,
      method: 'internal_ca',
      signedAt: now,
      sha256Before: agreement.currentSha256,
      sha256After: sha256,
      certificatePem: credential.certPem,
      consentText: consentText(user.name, expected, agreement.number, agreement.currentSha256),
      ip: input.audit.ip,
      userAgent: input.audit.userAgent,
    });
    await appendAudit(tx, {
      ...input.audit,
      institutionId: agreement.institutionId,
      action: 'agreement.signed',
      targetType: 'agreement',
      targetId: agreement.id,
      before: { status: agreement.status, sha256: agreement.currentSha256 },
      after: { status, sha256, position, role: expected },
    });
    if (status === 'in_force') await coverVmsByAgreement(tx, agreement, input.audit);
    await notifyAgreementStep(tx, agreement, status === 'in_force' ? 'in_force' : 'institution_signed');
  });
}
