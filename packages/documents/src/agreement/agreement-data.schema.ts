import { ZNip } from '@betang/core';
import { z } from 'zod';

/** Version of the agreement template; bump when the wording or layout changes. */
export const AGREEMENT_TEMPLATE_VERSION = '2026.1';

export const DATA_CENTER_OFFICE_NAME = 'Dinas Komunikasi, Informatika, Persandian dan Statistik Provinsi Kalimantan Tengah';

const ZText = (max: number) => z.string().trim().min(1).max(max);

/** NIP (Nomor Induk Pegawai): 18 digits; spaces are allowed in input and removed (core's rule). */
export { ZNip };

/** An official who signs for one party. */
export const ZOfficial = z.object({
  name: ZText(120),
  nip: ZNip,
  title: ZText(200),
});
export type Official = z.infer<typeof ZOfficial>;

/** Data classification of an electronic system (strategis / tinggi / rendah). */
export const ZDataClassification = z.enum(['strategis', 'tinggi', 'rendah']);
export type DataClassification = z.infer<typeof ZDataClassification>;

const ZDateOnly = z.iso.date();

/** Everything the agreement template needs; validated by renderAgreementPdf. */
export const ZAgreementDocumentData = z
  .object({
    templateVersion: z.literal(AGREEMENT_TEMPLATE_VERSION),
    documentNumber: ZText(120),
    /** Issue instant; the PDF's creation/modification dates are taken from it (determinism). */
    issuedAt: z.coerce.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'),
    /** Place of signing printed in the opening and signature area. */
    place: ZText(80).default('Palangka Raya'),
    institution: z.object({
      name: ZText(200),
      address: ZText(300),
      head: ZOfficial,
    }),
    dataCenter: z.object({
      name: ZText(200).default(DATA_CENTER_OFFICE_NAME),
      shortName: ZText(40).default('Diskominfosantik'),
      address: ZText(300),
      head: ZOfficial,
    }),
    term: z
      .object({ fiscalYear: z.number().int().min(2000).max(2100), startDate: ZDateOnly, endDate: ZDateOnly })
      .refine((t) => t.startDate <= t.endDate, 'term.startDate must not be after term.endDate'),
    resourceCeiling: z.object({
      vcpu: z.number().int().min(1).max(1024),
      ramGib: z.number().int().min(1).max(65536),
      diskGib: z.number().int().min(1).max(1048576),
      ipCount: z.number().int().min(0).max(1024),
    }),
    osTemplates: z.array(ZText(120)).min(1).max(50),
    applications: z
      .array(z.object({ name: ZText(200), classification: ZDataClassification, domain: ZText(253).optional() }))
      .min(1)
      .max(100),
    domains: z.array(ZText(253)).max(100).default([]),
    backup: z
      .object({
        schedule: ZText(200).default('harian, pukul 01.00 WIB'),
        retentionDays: z.number().int().min(1).max(3650).default(14),
        offsiteCopy: z.boolean().default(true),
        /**
         * Per service class, from the backup policy the scheduler runs on. When given, the backup
         * article states these (and no longer `schedule`/`retentionDays`), so it promises what runs.
         */
        classes: z
          .array(
            z
              .object({
                classification: ZDataClassification,
                schedule: ZText(200),
                keepDaily: z.number().int().min(1).max(366),
                keepWeekly: z.number().int().min(0).max(520),
                keepMonthly: z.number().int().min(0).max(120),
              })
              .strict(),
          )
          .max(3)
          .optional(),
      })
      .default({ schedule: 'harian, pukul 01.00 WIB', retentionDays: 14, offsiteCopy: true }),
    /** Public verification page; encoded in the QR code and printed beside it. */
    verificationUrl: z.url({ protocol: /^https?$/ }).max(300),
    /** Extra legal bases (e.g. a governor regulation) appended to the fixed list. */
    additionalLegalBases: z.array(ZText(400)).max(20).default([]),
  })
  .strict();

/** Input shape (defaults may be omitted). */
export type AgreementDocumentInput = z.input<typeof ZAgreementDocumentData>;
/** Validated shape with defaults applied. */
export type AgreementDocumentData = z.output<typeof ZAgreementDocumentData>;
