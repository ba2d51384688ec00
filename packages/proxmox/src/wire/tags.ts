import { z } from 'zod';

/** PVE's tag syntax (pve-tag format), case-insensitive. */
const TAG_RE = /^[a-z0-9_][a-z0-9_\-+.]*$/i;
const MAX_TAG_LENGTH = 128;

/** Thrown by formatTags for a tag PVE would reject with 400. */
export class InvalidTagError extends Error {
  override readonly name = 'InvalidTagError';
}

/**
 * Splits a PVE tag list into normalised tags. Accepts every separator PVE accepts on input
 * (`;`, `,`, whitespace — PVE 8 and 9 both store `;`-joined, older UI paths sent spaces or
 * commas), lowercases, de-duplicates, sorts, and drops tokens PVE would never store, so the
 * result is safe to compare against Betang's own tags.
 */
export function parseTags(value: string | null | undefined): string[] {
  if (typeof value !== 'string' || value.length === 0) return [];
  const seen = new Set<string>();
  for (const raw of value.split(/[;,\s]+/)) {
    const tag = raw.trim().toLowerCase();
    if (tag.length > 0 && tag.length <= MAX_TAG_LENGTH && TAG_RE.test(tag)) seen.add(tag);
  }
  return [...seen].sort();
}

/**
 * Formats tags the way PVE stores them (lowercase, unique, sorted, `;`-joined).
 * Throws `InvalidTagError` for any tag PVE's schema rejects, before anything is sent.
 */
export function formatTags(tags: readonly string[]): string {
  const seen = new Set<string>();
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || !TAG_RE.test(tag)) {
      throw new InvalidTagError(`tag tidak valid / invalid tag: ${JSON.stringify(raw.slice(0, 140))}`);
    }
    seen.add(tag);
  }
  return [...seen].sort().join(';');
}

/** zod schema: a PVE `tags` string (or absent) → normalised tag array. */
export const ZPveTags = z
  .string()
  .nullish()
  .transform((v) => parseTags(v));
