import {
  AppError,
  DEFAULT_BACKUP_POLICY,
  ErrorCode,
  Role,
  ZBackupPolicy,
  agreementBackupClauses,
  fiscalYearTerm,
  todayInJakarta,
  type CreateAgreementBody,
} from '@betang/core';
import {
  appendAudit,
  getSetting,
  findApplicationsOfInstitution,
  findInstitution,
  findTextSetting,
  insertAgreement,
  listActiveTemplateNames,
  listUsers,
  nextAgreementSequence,
  type Db,
  type Executor,
  type UserRecord,
} from '@betang/db';
import { AGREEMENT_TEMPLATE_VERSION, renderAgreementPdf, sha256Hex, type AgreementDocumentInput } from '@betang/documents';
import { randomInt } from 'node:crypto';
import type { auditContext } from '../http/context';
import { notifyAgreementStep } from './agreement-notifications';
import { verificationUrl } from './agreement-view';

/** Filing prefix of agreement numbers: `000.1/<seq>/DISKOMINFOSANTIK/<year>` (seq per issue year, 3+ digits). */
const AGREEMENT_NUMBER_PREFIX = '000.1';
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const DEFAULT_DATA_CENTER_ADDRESS = 'Palangka Raya, Kalimantan Tengah';

/** A fresh 16-character verification code (about 80 bits; no 0/O/1/I to read it aloud). */
function newVerificationCode(): string {
  return Array.from({ length: 16 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

/** The document number for a sequence and year, e.g. `000.1/007/DISKOMINFOSANTIK/2026`. */
function agreementNumber(sequence: number, year: number): string {
  return `${AGREEMENT_NUMBER_PREFIX}/${String(sequence).padStart(3, '0')}/DISKOMINFOSANTIK/${year}`;
}

const missing = (id: string, en: string) => new AppError(ErrorCode.PreconditionFailed, { id, en });

async function pickSigner(
  db: Executor,
  role: Role,
  institutionId: string | null,
  chosen: string | undefined,
  label: { id: string; en: string },
): Promise<UserRecord> {
  const candidates = (await listUsers(db, { institutionId, limit: 500 })).filter((u) => u.isActive && u.roles.includes(role));
  const pick = chosen ? candidates.find((u) => u.id === chosen) : candidates.length === 1 ? candidates[0] : undefined;
  if (!pick) {
    throw chosen || candidates.length === 0
      ? missing(`${label.id} yang aktif tidak ditemukan.`, `No active ${label.en} found.`)
      : missing(`Ada beberapa ${label.id}; pilih salah satu.`, `There are several ${label.en}s; choose one.`);
  }
  if (!pick.nip || !pick.position)
    throw missing(
      `NIP dan jabatan ${pick.name} (${label.id}) belum diisi.`,
      `NIP and position of ${pick.name} (${label.en}) are not on record.`,
    );
  return pick;
}

/**
 * Generates an agreement for an institution: picks the signers printed on it, numbers it, renders
 * the PDF (template AGREEMENT_TEMPLATE_VERSION) and stores original = current document with its
 * SHA-256 and the render input, status awaiting_institution_head — all in one transaction with
 * its audit entry. At most one agreement per institution may await signatures (409 otherwise).
 */
export async function createAgreement(
  db: Db,
  input: {
    body: CreateAgreementBody;
    actorUserId: string;
    audit: ReturnType<typeof auditContext>;
    publicUrl: string;
    now?: Date;
    /** The agreement this one renews: its VMs move to this one once it is in force. */
    renewsAgreementId?: string;
  },
): Promise<string> {
  const { body } = input;
  const now = input.now ?? new Date();
  const institution = await findInstitution(db, body.institutionId);
  if (!institution) throw new AppError(ErrorCode.NotFound);
  if (!institution.address)
    throw missing(`Alamat ${institution.name} belum diisi.`, `The address of ${institution.name} is not on record.`);
  const ids = [...new Set(body.applicationIds)];
  const applications = await findApplicationsOfInstitution(db, institution.id, ids);
  if (applications.length !== ids.length) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      {
        id: 'Aplikasi tidak ditemukan dalam inventaris perangkat daerah ini.',
        en: 'An application is not in this institution’s inventory.',
      },
      [{ path: 'body.applicationIds', message: 'unknown application', code: 'invalid_value' }],
    );
  }
  const head = await pickSigner(db, Role.InstitutionHead, institution.id, body.institutionHeadUserId, {
    id: 'Kepala perangkat daerah',
    en: 'institution head',
  });
  const dcHead = await pickSigner(db, Role.DcHead, null, body.dcHeadUserId, { id: 'Kepala Diskominfosantik', en: 'data-center head' });
  const osTemplates = body.osTemplates ?? (await listActiveTemplateNames(db));
  if (osTemplates.length === 0)
    throw missing('Katalog templat OS masih kosong; sebutkan osTemplates.', 'The OS template catalog is empty; pass osTemplates.');
  const fiscalYear = body.fiscalYear ?? Number((body.termStart ?? todayInJakarta(now)).slice(0, 4));
  const term = body.termStart && body.termEnd ? { termStart: body.termStart, termEnd: body.termEnd } : fiscalYearTerm(fiscalYear);
  const dataCenterAddress = (await findTextSetting(db, 'agreements.data_center_address')) ?? DEFAULT_DATA_CENTER_ADDRESS;
  const domains = [...new Set(applications.flatMap((a) => (a.url ? [new URL(a.url).hostname] : [])))];

  return db.transaction().execute(async (tx) => {
    const year = Number(todayInJakarta(now).slice(0, 4));
    const number = agreementNumber(await nextAgreementSequence(tx, year), year);
    const backupPolicy = await getSetting(tx, 'backup_policy', ZBackupPolicy, DEFAULT_BACKUP_POLICY);
    const code = newVerificationCode();
    const data: AgreementDocumentInput = {
      templateVersion: AGREEMENT_TEMPLATE_VERSION,
      documentNumber: number,
      issuedAt: now,
      institution: {
        name: institution.name,
        address: institution.address!,
        head: { name: head.name, nip: head.nip!, title: head.position! },
      },
      dataCenter: { address: dataCenterAddress, head: { name: dcHead.name, nip: dcHead.nip!, title: dcHead.position! } },
      term: { fiscalYear, startDate: term.termStart, endDate: term.termEnd },
      resourceCeiling: {
        vcpu: body.ceiling.cores,
        ramGib: body.ceiling.memoryMiB / 1024,
        diskGib: body.ceiling.diskGiB,
        ipCount: body.ceiling.ipCount,
      },
      osTemplates,
      applications: applications.map((a) => ({
        name: a.name,
        classification: a.dataClassification as 'strategis' | 'tinggi' | 'rendah',
        ...(a.url ? { domain: new URL(a.url).hostname } : {}),
      })),
      domains,
      // the same setting the backup scheduler runs on, so the article promises what runs
      backup: {
        offsiteCopy: backupPolicy.offsiteCopy,
        classes: agreementBackupClauses(
          backupPolicy,
          applications.map((a) => a.dataClassification as 'strategis' | 'tinggi' | 'rendah'),
        ),
      },
      verificationUrl: verificationUrl(input.publicUrl, code),
      additionalLegalBases: body.additionalLegalBases ?? [],
    };
    const pdf = await renderAgreementPdf(data);
    const sha256 = sha256Hex(pdf);
    let id: string;
    try {
      id = await insertAgreement(tx, {
        institutionId: institution.id,
        number,
        templateVersion: AGREEMENT_TEMPLATE_VERSION,
        status: 'awaiting_institution_head',
        ...term,
        ceiling: body.ceiling,
        verificationCode: code,
        document: pdf,
        sha256,
        documentData: data,
        createdBy: input.actorUserId,
        applicationIds: ids,
        ...(input.renewsAgreementId ? { renewsAgreementId: input.renewsAgreementId } : {}),
      });
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'agreements_one_renewal_uq') {
        throw new AppError(ErrorCode.Conflict, {
          id: 'Perpanjangan perjanjian ini sudah disiapkan.',
          en: 'The renewal of this agreement has already been drafted.',
        });
      }
      if ((error as { constraint?: string }).constraint === 'agreements_one_pending_per_institution_uq') {
        throw new AppError(ErrorCode.Conflict, {
          id: 'Perangkat daerah ini masih memiliki perjanjian yang menunggu tanda tangan.',
          en: 'This institution already has an agreement awaiting signatures.',
        });
      }
      throw error;
    }
    await appendAudit(tx, {
      ...input.audit,
      institutionId: institution.id,
      action: 'agreement.created',
      targetType: 'agreement',
      targetId: id,
      after: {
        number,
        status: 'awaiting_institution_head',
        ...term,
        ceiling: body.ceiling,
        applicationIds: ids,
        renewsAgreementId: input.renewsAgreementId ?? null,
        sha256,
        signers: { institutionHead: head.id, dcHead: dcHead.id },
      },
    });
    await notifyAgreementStep(tx, { id, number, institutionId: institution.id }, 'created');
    return id;
  });
}
