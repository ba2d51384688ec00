import { z } from 'zod';
import { institutionCodeProblem } from '../domain/guest-account';
import { ZQuotaLimits } from '../domain/resources';
import { ZDisplayName, zText } from './common';
import { CONTRACT_MESSAGES, worded, wordedPattern } from './messages';

/**
 * Short code of an institution: upper-case letters, digits, dashes (e.g. BIRO-ADPIM). Its lower
 * case is the admin account on the institution's VPSs, so codes that Linux reserves (STAFF, ADMIN…)
 * are refused.
 */
export const ZInstitutionCode = z
  .string()
  .regex(wordedPattern(/^[A-Z][A-Z0-9-]{1,31}$/, CONTRACT_MESSAGES.institutionCode))
  .superRefine((code, ctx) => {
    const problem = /^[A-Z][A-Z0-9-]{1,31}$/.test(code) ? institutionCodeProblem(code) : null;
    if (problem) ctx.addIssue({ code: 'custom', ...worded(problem) });
  });

/** `POST /institutions` body. */
export const ZCreateInstitutionBody = z.strictObject({
  code: ZInstitutionCode,
  name: ZDisplayName,
  address: zText({ max: 500, multiline: true }).optional(),
});
/** `PATCH /institutions/:id` body. */
export const ZUpdateInstitutionBody = z.strictObject({
  name: ZDisplayName.optional(),
  address: zText({ max: 500, multiline: true }).nullable().optional(),
});

/** An institution (tenant). */
export const ZInstitution = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type InstitutionDto = z.infer<typeof ZInstitution>;

/** `PUT /institutions/:id/quota` body. */
export const ZPutQuotaBody = ZQuotaLimits;

/** `GET /institutions/:id/quota` response: limits and current usage (pending + active requests). */
export const ZQuotaResponse = z.object({
  institutionId: z.uuid(),
  limits: ZQuotaLimits,
  usage: ZQuotaLimits,
  updatedAt: z.string().nullable(),
});
export type QuotaResponse = z.infer<typeof ZQuotaResponse>;
