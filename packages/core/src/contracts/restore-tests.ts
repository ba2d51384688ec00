import { z } from 'zod';
import { CONTRACT_MESSAGES, worded, wordedPattern } from './messages';

/** `HH:MM`, a wall-clock time in WIB. */
const ZClock = z.string().regex(wordedPattern(/^([01]\d|2[0-3]):[0-5]\d$/, CONTRACT_MESSAGES.clock));

/**
 * Setting `restore_test_policy` (admins): every VM's latest backup is restored once a month into
 * an isolated bridge, booted, checked through its guest agent and destroyed. VMs are spread over
 * the first `spreadDays` days of the month, inside the nightly window (WIB), at most
 * `perNodeLimit` at once per node. Test VMs take vmids from their own range, outside Betang's, so
 * they never meet a provisioned VM and a leftover is recognised by its vmid alone.
 */
export const ZRestoreTestPolicy = z
  .strictObject({
    enabled: z.boolean(),
    spreadDays: z.number().int().min(1).max(28),
    windowStart: ZClock,
    windowEnd: ZClock,
    // A Linux bridge with no port: the restored guest must reach nothing.
    bridge: z.string().regex(wordedPattern(/^[A-Za-z][A-Za-z0-9_]{0,14}$/, CONTRACT_MESSAGES.bridgeName)),
    vmidMin: z.number().int().min(100).max(999_999_999),
    vmidMax: z.number().int().min(100).max(999_999_999),
    perNodeLimit: z.number().int().min(1).max(8),
    bootTimeoutMinutes: z.number().int().min(2).max(120),
  })
  .refine((p) => p.vmidMin <= p.vmidMax, { ...worded(CONTRACT_MESSAGES.vmidRangeOrder), path: ['vmidMax'] })
  .refine((p) => p.windowStart !== p.windowEnd, { ...worded(CONTRACT_MESSAGES.emptyWindow), path: ['windowEnd'] });
export type RestoreTestPolicy = z.infer<typeof ZRestoreTestPolicy>;

export const DEFAULT_RESTORE_TEST_POLICY: RestoreTestPolicy = {
  enabled: true,
  spreadDays: 28,
  windowStart: '05:00',
  windowEnd: '07:00',
  bridge: 'vmbr9',
  vmidMin: 990_000,
  vmidMax: 990_999,
  perNodeLimit: 1,
  bootTimeoutMinutes: 10,
};

/** The outcome of one test restore: `running` until the verdict, then `ok` or `failed`. */
export const RESTORE_TEST_OUTCOMES = ['running', 'ok', 'failed'] as const;

/** What the guest showed once booted from the backup. */
export const ZRestoreTestChecks = z.strictObject({
  agent: z.boolean(),
  os: z.string().nullable(),
  rootFilesystem: z.strictObject({ type: z.string(), usedBytes: z.number().nullable(), totalBytes: z.number().nullable() }).nullable(),
});
export type RestoreTestChecks = z.infer<typeof ZRestoreTestChecks>;

/** One test restore of a VM as the API shows it. */
export const ZRestoreTest = z.strictObject({
  id: z.string(),
  period: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  outcome: z.enum(RESTORE_TEST_OUTCOMES),
  stage: z.string(),
  backupVolid: z.string().nullable(),
  backupDate: z.string().nullable(),
  durationSeconds: z.number().int().nullable(),
  checks: ZRestoreTestChecks.nullable(),
  error: z.strictObject({ id: z.string(), en: z.string() }).nullable(),
});
export type RestoreTest = z.infer<typeof ZRestoreTest>;

/** `GET /operator/restore-tests?period=YYYY-MM`: the month's report for the data-center head. */
export const ZRestoreTestReport = z.strictObject({
  period: z.string(),
  vms: z.number().int(),
  ok: z.number().int(),
  failed: z.number().int(),
  running: z.number().int(),
  notTested: z.number().int(),
  items: z.array(
    z.strictObject({
      vmId: z.string(),
      vmName: z.string(),
      vmid: z.number().int().nullable(),
      institution: z.string(),
      test: ZRestoreTest.nullable(),
    }),
  ),
});
export type RestoreTestReport = z.infer<typeof ZRestoreTestReport>;

/** `YYYY-MM`, a report's month. */
export const ZRestorePeriod = z.string().regex(wordedPattern(/^\d{4}-(0[1-9]|1[0-2])$/, CONTRACT_MESSAGES.period));
