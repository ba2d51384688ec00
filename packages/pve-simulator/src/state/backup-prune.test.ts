import { markBackupGroup, parseKeepOptions, printKeepOptions } from './backup-prune';
import type { PruneEntry } from './backup-prune';

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** One backup a day at 01:00 UTC from `first` for `days` days, plus an extra one on some days. */
function daily(first: string, days: number): PruneEntry[] {
  const start = at(first);
  return Array.from({ length: days }, (_, i) => ({ volid: `pbs:backup/vm/101/${i}`, ctime: start + i * 86400 }));
}

function kept(entries: PruneEntry[]): string[] {
  return entries
    .filter((e) => e.mark === 'keep')
    .sort((a, b) => b.ctime - a.ctime)
    .map((e) => new Date(e.ctime * 1000).toISOString().slice(0, 10));
}

describe('prune-backups as PVE computes it', () => {
  test('keep-daily=3: the newest backup of each of the three newest days, the rest removed', () => {
    const group = daily('2026-12-01T01:00:00Z', 6);
    group.push({ volid: 'pbs:backup/vm/101/extra', ctime: at('2026-12-06T13:00:00Z') });
    const marks = markBackupGroup(group, { 'keep-daily': 3 });
    expect(kept(marks)).toEqual(['2026-12-06', '2026-12-05', '2026-12-04']);
    // the older backup of the newest day is removed although its day is kept
    expect(marks.find((m) => m.volid === 'pbs:backup/vm/101/5')?.mark).toBe('remove');
    expect(marks.filter((m) => m.mark === 'remove')).toHaveLength(4);
  });

  test('keep-daily + keep-weekly + keep-monthly add up: weekly counts only weeks the dailies left uncovered', () => {
    // 70 daily backups from Monday 2026-09-28 to Sunday 2026-12-06
    const group = daily('2026-09-28T01:00:00Z', 70);
    const marks = markBackupGroup(group, { 'keep-daily': 7, 'keep-weekly': 2, 'keep-monthly': 2 });
    expect(kept(marks)).toEqual([
      // 7 dailies: Mon 30 Nov .. Sun 6 Dec (ISO week 49)
      '2026-12-06',
      '2026-12-05',
      '2026-12-04',
      '2026-12-03',
      '2026-12-02',
      '2026-12-01',
      '2026-11-30',
      // weekly: week 48 and week 47, newest of each (their Sundays)
      '2026-11-29',
      '2026-11-22',
      // monthly: December and November are covered already, so October and September
      '2026-10-31',
      '2026-09-30',
    ]);
    expect(marks.filter((m) => m.mark === 'remove')).toHaveLength(70 - 11);
  });

  test('protected backups stay protected and are not counted; keep-all or no option keeps everything', () => {
    const group = daily('2026-12-01T01:00:00Z', 3);
    group[2] = { ...group[2]!, protected: true };
    const marks = markBackupGroup(group, { 'keep-last': 1 });
    expect(marks.map((m) => [m.volid, m.mark]).sort()).toEqual([
      ['pbs:backup/vm/101/0', 'remove'],
      ['pbs:backup/vm/101/1', 'keep'],
      ['pbs:backup/vm/101/2', 'protected'],
    ]);
    expect(markBackupGroup(group, { 'keep-all': true }).filter((m) => m.mark === 'keep')).toHaveLength(2);
    expect(markBackupGroup(group, {}).filter((m) => m.mark === 'remove')).toHaveLength(0);
  });

  test('the property string: parsed, printed in PVE order, bad values refused with the parameter named', () => {
    expect(parseKeepOptions('keep-weekly=4,keep-daily=7')).toEqual({ 'keep-daily': 7, 'keep-weekly': 4 });
    expect(printKeepOptions({ 'keep-monthly': 6, 'keep-daily': 7 })).toBe('keep-daily=7,keep-monthly=6');
    expect(() => parseKeepOptions('keep-daily=0')).toThrow('Parameter verification failed.');
    expect(() => parseKeepOptions('keep-dayly=3')).toThrow('Parameter verification failed.');
    expect(() => parseKeepOptions('keep-all=1,keep-daily=3')).toThrow('Parameter verification failed.');
  });
});
