import { z } from 'zod';

/** Compute resources of a VM (or a ceiling / quota / usage). */
export const ZResources = z.strictObject({
  cores: z.number().int().min(1).max(128),
  memoryMiB: z.number().int().min(512).max(1_048_576),
  diskGiB: z.number().int().min(10).max(16_384),
});
export type Resources = z.infer<typeof ZResources>;

/** Limits of an institution: resources plus a VM count. */
export const ZQuotaLimits = z.strictObject({
  cores: z.number().int().min(0).max(100_000),
  memoryMiB: z.number().int().min(0).max(100_000_000),
  diskGiB: z.number().int().min(0).max(10_000_000),
  vmCount: z.number().int().min(0).max(10_000),
});
export type QuotaLimits = z.infer<typeof ZQuotaLimits>;

/**
 * The admin account Betang creates on an institution's VPSs: the institution code in lower case
 * (a valid Linux user name, at most 32 characters). The worker configures it; the API and the web
 * show it in "how to connect".
 */
export function adminUserForInstitution(institutionCode: string): string {
  return institutionCode.toLowerCase().slice(0, 32);
}
