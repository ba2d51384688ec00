import { X509Certificate } from 'node:crypto';
import type { ExpectedSigner } from '@betang/db';
import type { VerifiedSignature } from '@betang/documents';

/** How a certificate names its signer (SIGNATURE_SIGNER_MATCH): `nip` in the subject serialNumber, `email` in the subject or subjectAltName. */
export type SignerMatchRule = 'nip' | 'email';

/** What the office trusts for externally signed agreements. */
export type SignatureTrust = {
  /** PEMs of the configured roots/intermediates (e.g. BSrE's); empty = no external signature is trusted. */
  rootPems: string[];
  /** Their SHA-256 fingerprints, as VerifiedSignature.trustAnchorFingerprint reports them. */
  rootFingerprints: ReadonlySet<string>;
  signerMatch: readonly SignerMatchRule[];
};

/** Builds the trust settings from already parsed root PEMs. */
export function signatureTrust(rootPems: string[], signerMatch: readonly SignerMatchRule[] = ['nip']): SignatureTrust {
  return { rootPems, rootFingerprints: new Set(rootPems.map((p) => new X509Certificate(p).fingerprint256)), signerMatch };
}

/** No roots configured: every external signature waits for an operator. */
export const NO_TRUST_ROOTS: SignatureTrust = signatureTrust([]);

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The CA certificates of a PEM bundle (SIGNATURE_TRUST_ROOTS_FILE). Throws one Error listing every
 * problem (bilingual): no certificate, an unreadable block, a certificate that is not a CA
 * (basicConstraints) or is expired, so a wrong file stops the API at start instead of trusting less
 * (or more) than the office meant.
 */
export function parseTrustRootBundle(text: string, source: string, now = new Date()): string[] {
  const blocks = text.match(PEM_BLOCK) ?? [];
  const problems: string[] = [];
  if (blocks.length === 0) problems.push('tidak ada sertifikat PEM / no PEM certificate');
  blocks.forEach((pem, i) => {
    try {
      const cert = new X509Certificate(pem);
      if (!cert.ca) problems.push(`sertifikat ${i + 1} bukan CA / certificate ${i + 1} is not a CA (${cert.subject.replace(/\n/g, ', ')})`);
      else if (new Date(cert.validTo) < now)
        problems.push(`sertifikat ${i + 1} kedaluwarsa / certificate ${i + 1} has expired (${cert.validTo})`);
    } catch (e) {
      problems.push(`sertifikat ${i + 1} tidak terbaca / certificate ${i + 1} is unreadable: ${(e as Error).message}`);
    }
  });
  if (problems.length > 0) throw new Error(`SIGNATURE_TRUST_ROOTS_FILE ${source}: ${problems.join('; ')}`);
  return blocks.map((b) => `${b}\n`);
}

/** Digit groups of a text, e.g. "NIP:19750312 200003 2 004" → the groups and their concatenation. */
function digitGroups(text: string): string[] {
  const groups = text.match(/\d+/g) ?? [];
  return [...groups, groups.join('')];
}

/**
 * True when the certificate of `signature` names `expected` by one of the office's rules:
 * `nip` = the expected NIP is a digit group (or all digits) of a subject serialNumber;
 * `email` = one of the expected signer's e-mails is in the subject or subjectAltName.
 * The certificate's common name alone never identifies anyone.
 */
export function identifiesSigner(
  signature: Pick<VerifiedSignature, 'signerIdentity'>,
  expected: ExpectedSigner,
  rules: readonly SignerMatchRule[],
): boolean {
  const id = signature.signerIdentity;
  return rules.some((rule) => {
    if (rule === 'nip') return !!expected.nip && id.serialNumbers.some((sn) => digitGroups(sn).includes(expected.nip!));
    return id.emails.some((e) => expected.emails.includes(e.toLowerCase()));
  });
}
