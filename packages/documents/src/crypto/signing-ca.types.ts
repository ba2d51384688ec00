import { z } from 'zod';

/** The internal signing CA: its certificate and its private key encrypted under the master secret. */
export type SigningCa = { certPem: string; encryptedKey: string };

/** A signer's certificate, its encrypted private key and the CA chain to put into every CMS. */
export type SignerCredential = { certPem: string; encryptedKey: string; chainPems: string[] };

/** Identity of a person who signs agreements (institution head, data-center head). */
export const ZSignerIdentity = z.object({
  name: z.string().trim().min(1).max(120),
  email: z.email().max(200),
  nip: z
    .string()
    .regex(/^\d{18}$/)
    .optional(),
  role: z.string().trim().min(1).max(120),
  institution: z.string().trim().min(1).max(200),
});
export type SignerIdentity = z.infer<typeof ZSignerIdentity>;

export const ZCreateSigningCaOptions = z.object({
  commonName: z.string().trim().min(1).max(64),
  organization: z.string().trim().min(1).max(200),
  masterSecret: z.string().min(16),
  validityYears: z.number().int().min(1).max(30).default(10),
  now: z.date().optional(),
});
export type CreateSigningCaOptions = z.input<typeof ZCreateSigningCaOptions>;
