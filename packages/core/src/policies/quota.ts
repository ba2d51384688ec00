import type { QuotaLimits, Resources } from '../domain/resources';

type QuotaDimension = keyof QuotaLimits;

/** A dimension that would be exceeded, with the figures a person needs to act on it. */
type QuotaShortfall = { dimension: QuotaDimension; limit: number; used: number; requested: number };

/**
 * Checks whether one more VM of `requested` size fits in `limits` given current `usage`.
 * Guarantees: returns every exceeded dimension (empty array = fits); pure, no I/O.
 */
export function quotaShortfalls(limits: QuotaLimits, usage: QuotaLimits, requested: Resources): QuotaShortfall[] {
  const wanted: QuotaLimits = { ...requested, vmCount: 1 };
  const dimensions: QuotaDimension[] = ['cores', 'memoryMiB', 'diskGiB', 'vmCount'];
  return dimensions
    .filter((d) => usage[d] + wanted[d] > limits[d])
    .map((d) => ({ dimension: d, limit: limits[d], used: usage[d], requested: wanted[d] }));
}
