import { z } from 'zod';
import { AGREEMENT_STATUSES } from '../domain/agreement-status';
import { ZPageQuery, zText } from './common';
import { ZFindText } from './find';
import { CONTRACT_MESSAGES, worded } from './messages';

/** Resource ceiling of an agreement. Memory in whole GiB (multiples of 1024 MiB), as printed on the document. */
const ZAgreementCeiling = z.strictObject({
  cores: z.number().int().min(1).max(1024),
  memoryMiB: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .refine((v) => v % 1024 === 0, worded(CONTRACT_MESSAGES.wholeGiB)),
  diskGiB: z.number().int().min(1).max(1_048_576),
  vmCount: z.number().int().min(1).max(10_000),
  ipCount: z.number().int().min(0).max(1024),
});

const ZDate = z.iso.date();
const ZLine = (max: number) => zText({ min: 1, max });

/**
 * `POST /agreements` body. The term defaults to the fiscal year (`fiscalYear`, default the
 * current year in WIB): 1 January – 31 December. Signers printed on the document default to the
 * institution's only active head and the only active data-center head; name them when several.
 */
export const ZCreateAgreementBody = z
  .strictObject({
    institutionId: z.uuid(),
    fiscalYear: z.number().int().min(2020).max(2100).optional(),
    termStart: ZDate.optional(),
    termEnd: ZDate.optional(),
    ceiling: ZAgreementCeiling,
    applicationIds: z.array(z.uuid()).min(1).max(100),
    osTemplates: z.array(ZLine(120)).min(1).max(50).optional(),
    additionalLegalBases: z.array(ZLine(400)).max(20).optional(),
    institutionHeadUserId: z.uuid().optional(),
    dcHeadUserId: z.uuid().optional(),
  })
  .refine((b) => (b.termStart === undefined) === (b.termEnd === undefined), {
    ...worded(CONTRACT_MESSAGES.termTogether),
    path: ['termEnd'],
  })
  .refine((b) => !b.termStart || !b.termEnd || b.termStart < b.termEnd, {
    ...worded(CONTRACT_MESSAGES.termOrder),
    path: ['termEnd'],
  });
export type CreateAgreementBody = z.infer<typeof ZCreateAgreementBody>;

/** `GET /agreements` query. */
export const ZAgreementListQuery = ZPageQuery.extend({
  institutionId: z.uuid().optional(),
  status: z.enum(AGREEMENT_STATUSES).optional(),
  /** Only agreements in force today (WIB) whose term ends within this many days (0 = today). */
  expiringWithinDays: z.coerce.number().int().min(0).max(3660).optional(),
  /** Free text within the agreement's number, the institution's name or code, or a listed application's name. */
  q: ZFindText.optional(),
});

/** A signature as recorded by Betang: who, when, in which role, and the document hash before and after. */
const ZAgreementSignature = z.object({
  position: z.number().int(),
  role: z.enum(['institution_head', 'dc_head', 'external']),
  signerName: z.string(),
  signerUserId: z.uuid().nullable(),
  method: z.enum(['internal_ca', 'external']),
  signedAt: z.string(),
  sha256Before: z.string(),
  sha256After: z.string(),
  /** Set when an operator accepted an external document that no configured trust root vouched for. */
  acceptedByOperator: z.boolean().optional(),
});

/**
 * An externally signed upload no configured trust root vouches for: verified, but waiting for an
 * operator (not the uploader) to accept it before the agreement is in force.
 */
const ZPendingAgreementDocument = z.object({
  sha256: z.string(),
  /** The document hash it extends; acceptance is refused once the agreement has moved on. */
  baseSha256: z.string(),
  uploadedAt: z.string(),
  uploadedByName: z.string().nullable(),
  signers: z.array(
    z.object({
      name: z.string(),
      signedAt: z.string().nullable(),
      trusted: z.boolean(),
      serialNumbers: z.array(z.string()),
      emails: z.array(z.string()),
    }),
  ),
});
export type PendingAgreementDocumentDto = z.infer<typeof ZPendingAgreementDocument>;

/** `POST /agreements/:id/signed-document/accept` body: the hash of the pending document the operator reviewed. */
export const ZAcceptSignedDocumentBody = z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** An agreement in lists. */
export const ZAgreementSummary = z.object({
  id: z.uuid(),
  institutionId: z.uuid(),
  institutionName: z.string(),
  number: z.string(),
  templateVersion: z.string(),
  status: z.enum(AGREEMENT_STATUSES),
  termStart: z.string(),
  termEnd: z.string(),
  /** Days from today (WIB) to the last day of the term; negative once it has passed. */
  daysLeft: z.number().int(),
  ceiling: ZAgreementCeiling,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** An externally signed upload waits for an operator's acceptance (GET /agreements/:id has it). */
  hasPendingDocument: z.boolean().optional(),
});

/** `GET /agreements/:id`: the summary plus signatures, hashes and what signing would cover now. */
export const ZAgreement = ZAgreementSummary.extend({
  applications: z.array(z.object({ id: z.uuid(), name: z.string() })),
  verificationCode: z.string(),
  verificationUrl: z.string(),
  originalSha256: z.string(),
  /** SHA-256 of the document as it stands: what the next signer signs (send it back as expectedSha256). */
  currentSha256: z.string(),
  signatures: z.array(ZAgreementSignature),
  nextSignerRole: z.enum(['institution_head', 'dc_head']).nullable(),
  /** The consent statement the next signer agrees to, with the exact hash. */
  consentText: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  /** An externally signed upload waiting for an operator's acceptance (null or absent: none). */
  pendingDocument: ZPendingAgreementDocument.nullable().optional(),
});
export type AgreementDto = z.infer<typeof ZAgreement>;

/**
 * `POST /agreements/:id/signatures` body: re-authentication and explicit consent. Without
 * `password` the session must have re-authenticated at the identity provider moments ago.
 */
export const ZSignAgreementBody = z.strictObject({
  password: z.string().min(1).max(1024).optional(),
  totp: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  consent: z.boolean().refine((ticked) => ticked, worded(CONTRACT_MESSAGES.consentRequired)),
  /** The SHA-256 the signer was shown; when it no longer matches the document → 409. */
  expectedSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type SignAgreementBody = z.infer<typeof ZSignAgreementBody>;

/** `POST /agreements/:id/revoke` body. */
export const ZRevokeAgreementBody = z.strictObject({ reason: zText({ min: 5, max: 1000, multiline: true }) });

/** `GET /verify/:code` params: the code printed (as a QR link) on the document. */
export const ZVerificationCodeParam = z.strictObject({ code: z.string().regex(/^[A-Z2-9]{16}$/) });

/** Public verification answer: nothing private (names and roles only, no NIP, e-mail or IP). */
export const ZVerificationResult = z.object({
  /** The file is a recorded version of a Betang agreement and every signature in it verifies. */
  genuine: z.boolean(),
  /** Genuine, fully signed (both parties) and the agreement is in force today. */
  valid: z.boolean(),
  /**
   * Why not genuine: UNKNOWN_DOCUMENT, SIGNATURE_INVALID, SIGNATURE_UNTRUSTED (a signature no
   * configured root or Betang's own CA vouches for, not accepted by an operator),
   * MODIFIED_AFTER_SIGNING, NOT_A_RECORDED_VERSION, SIGNATURE_MALFORMED.
   */
  reason: z.string().nullable(),
  fullySigned: z.boolean(),
  agreement: z
    .object({
      number: z.string(),
      institutionName: z.string(),
      status: z.enum(AGREEMENT_STATUSES),
      termStart: z.string(),
      termEnd: z.string(),
      revokedAt: z.string().nullable(),
      currentSha256: z.string(),
    })
    .nullable(),
  signatures: z.array(
    z.object({
      name: z.string(),
      role: z.string(),
      signedAt: z.string().nullable(),
      valid: z.boolean().nullable(),
      /** The certificate chains to Betang's own CA or a configured trust root (null: from the records, not checked). */
      trusted: z.boolean().nullable().optional(),
    }),
  ),
});
export type VerificationResult = z.infer<typeof ZVerificationResult>;
