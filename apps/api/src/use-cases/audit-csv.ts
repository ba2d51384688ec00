import { auditActionName, auditTargetName, type Actor, type Locale } from '@betang/core';
import { streamAudit, type AuditFilter, type Executor } from '@betang/db';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { auditEntryFor } from '../http/institution-view';
import { csvExportStream } from './csv';

const HEADERS = {
  id: [
    'No.',
    'Waktu',
    'Pelaku',
    'ID pelaku',
    'Instansi',
    'Kode tindakan',
    'Tindakan',
    'Sasaran',
    'ID sasaran',
    'ID permintaan HTTP',
    'Alamat IP',
    'Sebelum',
    'Sesudah',
  ],
  en: [
    'No.',
    'Time',
    'Actor',
    'Actor id',
    'Institution',
    'Action code',
    'Action',
    'Target',
    'Target id',
    'HTTP request id',
    'IP address',
    'Before',
    'After',
  ],
} as const;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Writes every audit entry matching `filter` (already scoped to what `actor` may read) to `out` as
 * CSV, newest first: a header row in `locale`, then one row per entry with the readable action and
 * target names beside the codes, the time as ISO 8601 with offset, before/after as JSON text.
 * Streamed in batches with backpressure (memory does not grow with the log); every cell passes
 * through the export's quoting and formula neutralisation (csvExportStream); institution roles get
 * the entry as auditEntryFor shows it to them (no IP address, no node names). Resolves when `out`
 * has received everything; rejects (and destroys `out`) when reading or writing fails.
 */
export async function writeAuditCsv(
  db: Executor,
  out: Writable,
  options: { actor: Actor; filter: AuditFilter; locale: Locale; institutionNames: ReadonlyMap<string, string> },
): Promise<void> {
  const { actor, filter, locale, institutionNames } = options;
  async function* records() {
    yield [...HEADERS[locale]];
    for await (const batch of streamAudit(db, filter)) {
      for (const row of batch) {
        const entry = auditEntryFor(actor, row);
        yield [
          entry.id,
          entry.at.toISOString(),
          entry.actorLabel,
          entry.actorUserId,
          entry.institutionId ? (institutionNames.get(entry.institutionId) ?? entry.institutionId) : null,
          entry.action,
          auditActionName(entry.action)[locale],
          auditTargetName(entry.targetType)[locale],
          entry.targetId,
          entry.requestId,
          entry.ip,
          json(entry.before),
          json(entry.after),
        ];
      }
    }
  }
  await pipeline(Readable.from(records()), csvExportStream(), out);
}
