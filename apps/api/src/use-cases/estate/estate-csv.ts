import {
  AppError,
  ErrorCode,
  ESTATE_CSV_COLUMNS,
  type Actor,
  type EstateImportResultDto,
  type ImportRowError,
  type Locale,
} from '@betang/core';
import { lockForTransaction, type Db } from '@betang/db';
import { parseCsv, restoreCell, toCsv } from '../csv';
import type { AuditMeta } from '../vps-requests/audit-meta';
import { ADOPTION_LOCK, adoptVm } from './adopt-vm';
import { conflictsOf, loadEstateWorld, toEstateVmDto, type EstateWorld } from './estate-world';

/** Most data rows one import may carry (the body is also size-limited). */
const MAX_IMPORT_ROWS = 5000;
const YES = new Set(['ya', 'y', 'yes', '1', 'true']);
const NO = new Set(['tidak', 't', 'no', 'n', '0', 'false', '']);

/** The sheet's own words in each language; the import reads both (YES/NO hold both sets). */
const SHEET_WORDS = {
  id: { agent: 'agen', config: 'konfigurasi', yes: 'ya', no: 'tidak' },
  en: { agent: 'agent', config: 'config', yes: 'yes', no: 'no' },
} as const;

/**
 * The census as a mapping sheet: one row per VM not yet adopted, with Betang's proposal filled in
 * (institution code, application name, the reason) and its open conflicts; `adopt` is `ya`/`yes`
 * where a proposal exists and nothing waits for a decision. The words are in `locale` (column
 * names are not), and importEstateCsv reads a sheet of either language. The operator corrects the
 * sheet and imports it.
 */
export async function estateToCsv(db: Db, locale: Locale = 'id'): Promise<string> {
  const words = SHEET_WORDS[locale];
  const world = await loadEstateWorld(db);
  const rows = world.census
    .filter((vm) => !world.adoptions.has(vm.vmid))
    .map((vm) => {
      const dto = toEstateVmDto(world, vm);
      const open = dto.conflicts.filter((c) => !c.resolved);
      return [
        vm.vmid,
        vm.node,
        vm.name ?? '',
        vm.addresses.map((a) => `${a.address} (${a.source === 'agent' ? words.agent : words.config})`).join('; '),
        dto.proposal?.institutionCode ?? '',
        dto.proposal?.applicationName ?? '',
        dto.proposal?.reason[locale] ?? '',
        open.map((c) => c.message[locale]).join(' '),
        dto.proposal?.applicationName && open.length === 0 ? words.yes : words.no,
      ];
    });
  return toCsv([[...ESTATE_CSV_COLUMNS], ...rows]);
}

type Planned = { row: number; vmid: number; institutionId: string; applicationId: string };

/** Checks one data row against the census and the inventory; pushes its errors, returns what to adopt (or null to skip). */
function planRow(
  world: EstateWorld,
  col: (name: string) => string,
  row: number,
  seen: Set<number>,
  errors: ImportRowError[],
): Planned | null {
  const err = (column: string, id: string, en: string) => errors.push({ row, column, message: { id, en } });
  const adoptCell = col('adopt').toLowerCase();
  if (!YES.has(adoptCell) && !NO.has(adoptCell)) {
    err('adopt', `Isi "ya" atau "tidak", bukan "${adoptCell}".`, `Write "yes" or "no" ("ya" or "tidak"), not "${adoptCell}".`);
    return null;
  }
  const vmidText = col('vmid');
  const vmid = /^\d{3,9}$/.test(vmidText) ? Number(vmidText) : NaN;
  if (!Number.isInteger(vmid)) {
    err('vmid', `VMID "${vmidText}" bukan angka.`, `VMID "${vmidText}" is not a number.`);
    return null;
  }
  if (seen.has(vmid)) {
    err('vmid', `VMID ${vmid} muncul lebih dari sekali.`, `VMID ${vmid} appears more than once.`);
    return null;
  }
  seen.add(vmid);
  if (!YES.has(adoptCell)) return null;
  const vm = world.byVmid.get(vmid);
  if (!vm) {
    err('vmid', `VM ${vmid} tidak ada dalam sensus.`, `VM ${vmid} is not in the census.`);
    return null;
  }
  if (world.adoptions.has(vmid)) {
    err('vmid', `VM ${vmid} sudah diadopsi.`, `VM ${vmid} is already adopted.`);
    return null;
  }
  const code = col('institution_code');
  const inst = world.institutions.find((i) => i.code.toLowerCase() === code.toLowerCase());
  if (!inst) {
    err('institution_code', `Perangkat daerah "${code}" tidak dikenal.`, `Institution "${code}" is unknown.`);
    return null;
  }
  const appName = col('application_name');
  const app = world.applications.find((a) => a.institutionId === inst.id && a.name.toLowerCase() === appName.toLowerCase());
  if (!app) {
    err(
      'application_name',
      `Aplikasi "${appName}" tidak ada di inventaris ${inst.code}.`,
      `Application "${appName}" is not in ${inst.code}'s inventory.`,
    );
    return null;
  }
  const open = conflictsOf(world, vm).filter((c) => !c.resolved);
  if (open.length > 0) {
    err(
      'conflicts',
      `VM ${vmid} menunggu keputusan: ${open.map((c) => `${c.message.id} ${c.decide.id}`).join(' ')}`,
      `VM ${vmid} waits for a decision: ${open.map((c) => `${c.message.en} ${c.decide.en}`).join(' ')}`,
    );
    return null;
  }
  return { row, vmid, institutionId: inst.id, applicationId: app.id };
}

/**
 * Imports the mapping sheet (estateToCsv's columns; comma or semicolon). Guarantees: every row is
 * checked first and each problem reported with row, column and a bilingual message; a dry run,
 * or any error, adopts nothing; otherwise every `ya` row is adopted in one transaction (each
 * audited, see adoptVm), so a failure half-way leaves nothing adopted.
 */
export async function importEstateCsv(
  db: Db,
  input: { csv: string; actor: Actor; dryRun: boolean; meta: AuditMeta },
): Promise<EstateImportResultDto> {
  const result: EstateImportResultDto = { dryRun: input.dryRun, rows: 0, adopted: 0, skipped: 0, errors: [], results: [] };
  const { rows, error } = parseCsv(input.csv);
  if (error) return { ...result, errors: [{ row: error.row, column: null, message: error.message }] };
  const [header, ...data] = rows;
  if (!header) return { ...result, errors: [{ row: 1, column: null, message: { id: 'Berkas kosong.', en: 'The file is empty.' } }] };
  result.rows = data.length;
  if (data.length > MAX_IMPORT_ROWS)
    throw new AppError(ErrorCode.PayloadTooLarge, {
      id: `Paling banyak ${MAX_IMPORT_ROWS} baris per impor.`,
      en: `At most ${MAX_IMPORT_ROWS} rows per import.`,
    });
  const names = header.map((h) => restoreCell(h).trim().toLowerCase());
  for (const needed of ['vmid', 'institution_code', 'application_name', 'adopt'])
    if (!names.includes(needed))
      result.errors.push({
        row: 1,
        column: needed,
        message: { id: `Kolom "${needed}" tidak ada di baris judul.`, en: `Column "${needed}" is missing from the header row.` },
      });
  if (result.errors.length > 0) return result;

  const plan = async (world: EstateWorld): Promise<Planned[]> => {
    const seen = new Set<number>();
    const planned: Planned[] = [];
    data.forEach((cells, i) => {
      const col = (name: string) => restoreCell(cells[names.indexOf(name)] ?? '').trim();
      const p = planRow(world, col, i + 2, seen, result.errors);
      if (p) planned.push(p);
      else if (!result.errors.some((e) => e.row === i + 2)) result.skipped++;
    });
    return planned;
  };

  if (input.dryRun) {
    const planned = await plan(await loadEstateWorld(db));
    result.adopted = result.errors.length > 0 ? 0 : planned.length;
    return result;
  }
  await db.transaction().execute(async (tx) => {
    await lockForTransaction(tx, ADOPTION_LOCK);
    const world = await loadEstateWorld(tx);
    const planned = await plan(world);
    if (result.errors.length > 0) return;
    for (const p of planned) {
      result.results.push(await adoptVm(tx, input.actor, p, { ...input.meta }, world));
      result.adopted++;
    }
  });
  return result;
}
