import { z } from 'zod';
import { zText } from './common';
import { CONTRACT_MESSAGES, worded } from './messages';

/**
 * Shared pieces of the list filters ("find anything"): a free-text word, a WIB calendar-day range
 * and the keyset page. Each list adds the filters that apply to it (status, host name, address, …).
 */

/** Free text of a list filter: one line, trimmed, at most 100 characters; matched case-insensitively as a substring. */
export const ZFindText = zText({ max: 100 });

/** A calendar day `YYYY-MM-DD`, read in WIB (Asia/Jakarta, UTC+7) by the lists. */
export const ZFindDay = z.iso.date();

/** The paging of the filtered lists: `?limit=&cursor=` (keyset, newest first). */
export const zFindPage = (maxLimit = 200, defaultLimit = 50) => ({
  limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  cursor: z.string().max(200).optional(),
});

/** The day range `from`…`to` (both optional, both inclusive). */
export const FIND_DAY_RANGE = { from: ZFindDay.optional(), to: ZFindDay.optional() };

/** Refinement for a query with FIND_DAY_RANGE: `to` may not come before `from` (reported on `to`). */
export function dayRangeInOrder(query: { from?: string | undefined; to?: string | undefined }): boolean {
  return !query.from || !query.to || query.from <= query.to;
}

/** The issue options of dayRangeInOrder's refinement. */
export const DAY_RANGE_ISSUE = { ...worded(CONTRACT_MESSAGES.dateRangeOrder), path: ['to'] };

/**
 * The instants that bound a WIB day range: `from` at 00:00 WIB, `to` the next day at 00:00 WIB
 * (exclusive). WIB has no daylight saving, so the offset is always +07:00.
 */
export function wibDayBounds(range: { from?: string | undefined; to?: string | undefined }): { since?: Date; before?: Date } {
  const since = range.from ? new Date(`${range.from}T00:00:00+07:00`) : undefined;
  const before = range.to ? new Date(new Date(`${range.to}T00:00:00+07:00`).getTime() + 24 * 3600 * 1000) : undefined;
  return { ...(since ? { since } : {}), ...(before ? { before } : {}) };
}

/** Escapes `%`, `_` and `\` so free text is matched literally by ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Adds `days` to a `YYYY-MM-DD` calendar date (the result is a calendar date too). */
export function plusDaysIso(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
