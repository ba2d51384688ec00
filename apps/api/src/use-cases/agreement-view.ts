import { daysBetween, nextSignerRole, todayInJakarta, type AgreementDto } from '@betang/core';
import { ceilingOf, type AgreementMeta, type AgreementSignatureRow, type PendingDocument } from '@betang/db';

/** Human labels of signer roles (Bahasa Indonesia / English). */
export const SIGNER_ROLE_LABELS = {
  institution_head: { id: 'Kepala Perangkat Daerah', en: 'Head of the institution' },
  dc_head: { id: 'Kepala Diskominfosantik', en: 'Head of the data-center office' },
  external: { id: 'Penanda tangan eksternal', en: 'External signer' },
} as const;

/**
 * The public verification address printed (as a QR code) on every page of the agreement: the web
 * app's verification page (the API redirects it to its own HTML answer when it serves no UI).
 */
export function verificationUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/verify/${code}`;
}

/** The consent statement a signer agrees to; it names the exact SHA-256 of the bytes being signed. */
export function consentText(signerName: string, role: keyof typeof SIGNER_ROLE_LABELS, number: string, sha256: string): string {
  const label = SIGNER_ROLE_LABELS[role];
  return (
    `Saya, ${signerName}, selaku ${label.id}, menyetujui isi dan menandatangani secara elektronik Perjanjian Pemanfaatan Server Nomor ${number} ` +
    `(SHA-256 ${sha256}). / I, ${signerName}, as ${label.en}, agree to and electronically sign server-utilization agreement ${number} (SHA-256 ${sha256}).`
  );
}

/** An agreement as lists show it. */
export function toAgreementSummary(meta: AgreementMeta, today = todayInJakarta()) {
  return {
    id: meta.id,
    institutionId: meta.institutionId,
    institutionName: meta.institutionName,
    number: meta.number,
    templateVersion: meta.templateVersion,
    status: meta.status,
    termStart: meta.termStart,
    termEnd: meta.termEnd,
    daysLeft: daysBetween(today, meta.termEnd),
    ceiling: ceilingOf(meta),
    createdAt: meta.createdAt.toISOString(),
    updatedAt: meta.updatedAt.toISOString(),
  };
}

/** The full agreement view: signatures with hashes, what the next signer signs, revocation. */
export function toAgreementDto(
  meta: AgreementMeta,
  applications: { id: string; name: string }[],
  signatures: AgreementSignatureRow[],
  publicUrl: string,
  viewerName: string,
  pending?: PendingDocument,
): AgreementDto {
  const next = nextSignerRole(meta.status);
  return {
    ...toAgreementSummary(meta),
    applications,
    verificationCode: meta.verificationCode,
    verificationUrl: verificationUrl(publicUrl, meta.verificationCode),
    originalSha256: meta.originalSha256,
    currentSha256: meta.currentSha256,
    signatures: signatures.map((s) => ({
      position: s.position,
      role: s.signerRole,
      signerName: s.signerName,
      signerUserId: s.signerUserId,
      method: s.method,
      signedAt: s.signedAt.toISOString(),
      sha256Before: s.sha256Before,
      sha256After: s.sha256After,
      ...(s.acceptedBy ? { acceptedByOperator: true } : {}),
    })),
    nextSignerRole: next,
    consentText: next ? consentText(viewerName, next, meta.number, meta.currentSha256) : null,
    revokedAt: meta.revokedAt ? meta.revokedAt.toISOString() : null,
    revokeReason: meta.revokeReason,
    pendingDocument: pending
      ? {
          sha256: pending.sha256,
          baseSha256: pending.baseSha256,
          uploadedAt: pending.uploadedAt.toISOString(),
          uploadedByName: pending.uploadedByName,
          signers: pending.signers,
        }
      : null,
  };
}
