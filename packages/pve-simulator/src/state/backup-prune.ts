import { paramError } from '../server/pve-error';

/** PVE's `prune-backups` property string, parsed. */
export interface KeepOptions {
  'keep-all'?: boolean;
  'keep-last'?: number;
  'keep-hourly'?: number;
  'keep-daily'?: number;
  'keep-weekly'?: number;
  'keep-monthly'?: number;
  'keep-yearly'?: number;
}

/** What PVE marks a backup with when it computes a prune (`GET .../prunebackups`). */
export type PruneMark = 'keep' | 'remove' | 'protected' | 'renamed';

/** One backup of a group (one guest on one storage) as the prune computation sees it. */
export interface PruneEntry {
  volid: string;
  ctime: number;
  protected?: boolean;
  mark?: PruneMark;
}

const KEEP_KEYS = ['keep-last', 'keep-hourly', 'keep-daily', 'keep-weekly', 'keep-monthly', 'keep-yearly'] as const;

/**
 * Parses `keep-daily=7,keep-weekly=4` the way PVE's `prune-backups` format does; a bad value is
 * PVE's 400 on `param`. Guarantees every returned count is a positive integer.
 */
export function parseKeepOptions(text: string, param = 'prune-backups'): KeepOptions {
  const out: KeepOptions = {};
  for (const part of text.split(',').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (key === 'keep-all') {
      if (value !== '0' && value !== '1')
        throw paramError({ [param]: `invalid format - keep-all: type check ('boolean') failed - got '${value}'` });
      out['keep-all'] = value === '1';
    } else if ((KEEP_KEYS as readonly string[]).includes(key)) {
      if (!/^\d+$/.test(value)) throw paramError({ [param]: `invalid format - ${key}: type check ('integer') failed - got '${value}'` });
      const n = Number(value);
      if (n < 1) throw paramError({ [param]: `invalid format - ${key}: value must have a minimum value of 1` });
      out[key as (typeof KEEP_KEYS)[number]] = n;
    } else {
      throw paramError({ [param]: `invalid format - property '${key}' not defined in format 'prune-backups'` });
    }
  }
  if (out['keep-all'] && KEEP_KEYS.some((k) => out[k] !== undefined)) {
    throw paramError({ [param]: 'keep-all cannot be set together with other options.' });
  }
  return out;
}

/** Prints options back in PVE's order (`keep-all` first, then the keep-* keys). */
export function printKeepOptions(keep: KeepOptions): string {
  const parts: string[] = [];
  if (keep['keep-all'] !== undefined) parts.push(`keep-all=${keep['keep-all'] ? 1 : 0}`);
  for (const k of KEEP_KEYS) if (keep[k] !== undefined) parts.push(`${k}=${keep[k]}`);
  return parts.join(',');
}

/** ISO 8601 week number and week-based year (strftime %V / %G), from a UTC date. */
function isoWeek(d: Date): { week: number; year: number } {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { week: Math.ceil(((t.getTime() - yearStart) / 86400_000 + 1) / 7), year: t.getUTCFullYear() };
}

/**
 * PVE::Storage's `$prune_mark`: walking newest first, the first backup of each not yet covered
 * period is kept until `count` periods are kept; later backups of a kept period are removed.
 * Periods already covered by an earlier rule's keep are skipped, so the rules add up.
 */
function markPeriods(list: PruneEntry[], count: number | undefined, id: (ctime: number) => string): void {
  if (!count) return;
  const already = new Set<string>();
  for (const e of list) if (e.mark === 'keep') already.add(id(e.ctime));
  const fresh = new Set<string>();
  for (const e of list) {
    const key = id(e.ctime);
    if (e.mark !== undefined || already.has(key)) continue;
    if (!fresh.has(key)) {
      if (fresh.size >= count) break;
      fresh.add(key);
      e.mark = 'keep';
    } else {
      e.mark = 'remove';
    }
  }
}

/**
 * PVE::Storage::prune_mark_backup_group for one guest's backups: marks each entry keep, remove or
 * protected. Times are read in the node's zone, which the simulated nodes keep at UTC. Pure: the
 * same group and options always give the same marks, so computing a prune twice is harmless.
 */
export function markBackupGroup(group: PruneEntry[], keep: KeepOptions): PruneEntry[] {
  const entries: PruneEntry[] = group.map((e) => ({ ...e, mark: e.protected ? 'protected' : undefined }));
  const positive = KEEP_KEYS.filter((k) => (keep[k] ?? 0) > 0);
  if (keep['keep-all'] || positive.length === 0) {
    for (const e of entries) if (e.mark === undefined) e.mark = 'keep';
    return entries;
  }
  const list = [...entries].sort((a, b) => b.ctime - a.ctime);
  const utc = (c: number): Date => new Date(c * 1000);
  markPeriods(list, keep['keep-last'], (c) => String(c));
  markPeriods(list, keep['keep-hourly'], (c) => {
    const d = utc(c);
    return `${d.getUTCHours()}/${d.getUTCDate()}/${d.getUTCMonth()}/${d.getUTCFullYear()}`;
  });
  markPeriods(list, keep['keep-daily'], (c) => {
    const d = utc(c);
    return `${d.getUTCDate()}/${d.getUTCMonth()}/${d.getUTCFullYear()}`;
  });
  markPeriods(list, keep['keep-weekly'], (c) => {
    const w = isoWeek(utc(c));
    return `${w.week}/${w.year}`;
  });
  markPeriods(list, keep['keep-monthly'], (c) => {
    const d = utc(c);
    return `${d.getUTCMonth()}/${d.getUTCFullYear()}`;
  });
  markPeriods(list, keep['keep-yearly'], (c) => String(utc(c).getUTCFullYear()));
  for (const e of list) e.mark ??= 'remove';
  return list;
}
