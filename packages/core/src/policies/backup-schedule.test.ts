import { DEFAULT_BACKUP_POLICY, ZBackupPolicy } from '../contracts/backups';
import { agreementBackupClauses, dueAt, openWindow, windowMinutes, windowOn } from './backup-schedule';

const tinggi = DEFAULT_BACKUP_POLICY.classes.tinggi;

describe('backup schedule', () => {
  test('a 01:00–05:00 WIB window is 18:00–22:00 UTC of the day before; outside it nothing is open', () => {
    const w = windowOn(tinggi, '2026-12-08');
    expect(w.start.toISOString()).toBe('2026-12-07T18:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-12-07T22:00:00.000Z');
    expect(openWindow(tinggi, new Date('2026-12-07T19:00:00Z'))?.backupDate).toBe('2026-12-08');
    expect(openWindow(tinggi, new Date('2026-12-07T22:00:00Z'))).toBeUndefined();
    expect(openWindow(tinggi, new Date('2026-12-07T17:59:59Z'))).toBeUndefined();
  });

  test('a window crossing midnight belongs to the day it starts', () => {
    const late = { ...tinggi, windowStart: '22:30', windowEnd: '03:00' };
    expect(windowMinutes(late)).toBe(270);
    // 01:00 WIB on the 9th is inside the window that opened at 22:30 WIB on the 8th
    expect(openWindow(late, new Date('2026-12-08T18:00:00Z'))?.backupDate).toBe('2026-12-08');
  });

  test('VMs are spread over the first half of the window, stably', () => {
    const w = windowOn(tinggi, '2026-12-08');
    const times = Array.from({ length: 50 }, (_, i) => dueAt(w, `vm-${i}`).getTime());
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(w.start.getTime());
      expect(t).toBeLessThan(w.start.getTime() + 2 * 3_600_000);
    }
    expect(new Set(times).size).toBeGreaterThan(30);
    expect(dueAt(w, 'vm-7').getTime()).toBe(times[7]);
  });

  test('agreement clauses come from the policy, only for the classes present, in a fixed order', () => {
    const clauses = agreementBackupClauses(DEFAULT_BACKUP_POLICY, ['rendah', 'strategis', 'rendah']);
    expect(clauses.map((c) => c.classification)).toEqual(['strategis', 'rendah']);
    expect(clauses[0]).toEqual({
      classification: 'strategis',
      schedule: 'setiap hari antara pukul 01.00 dan 05.00 WIB',
      keepDaily: 14,
      keepWeekly: 8,
      keepMonthly: 12,
    });
  });

  test('the default policy satisfies its own schema', () => {
    expect(ZBackupPolicy.parse(DEFAULT_BACKUP_POLICY)).toEqual(DEFAULT_BACKUP_POLICY);
  });
});
