import { AppError, ErrorCode, plusDays, todayInJakarta, type RenewalBody } from '@betang/core';
import { ceilingOf, findAgreementMeta, listAgreementApplications, type Db } from '@betang/db';
import type { auditContext } from '../../http/context';
import { createAgreement } from '../create-agreement';

/** The last day of a one-year term starting on `start` (2027-01-01 → 2027-12-31). */
function oneYearFrom(start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  // Date.UTC rolls 29 February of a non-leap year to 1 March, so the day before is 28 February
  return new Date(Date.UTC(y + 1, m - 1, d) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Drafts the agreement that continues `agreementId` (in force or expired): the same institution,
 * applications, OS templates, legal bases and ceiling, a term starting the day after the current
 * one ends (today when that term would already be over), generated and numbered like any agreement (createAgreement), awaiting the same two
 * signatures. At most one live renewal per agreement (409 for a second); 404 for an unknown id.
 */
export async function draftRenewal(
  db: Db,
  input: {
    agreementId: string;
    body: RenewalBody;
    actorUserId: string;
    audit: ReturnType<typeof auditContext>;
    publicUrl: string;
    now?: Date;
  },
): Promise<{ id: string; termStart: string; termEnd: string }> {
  const current = await findAgreementMeta(db, input.agreementId);
  if (!current) throw new AppError(ErrorCode.NotFound);
  if (current.status !== 'in_force' && current.status !== 'expired') {
    throw new AppError(ErrorCode.InvalidState, {
      id: 'Hanya perjanjian yang berlaku atau sudah berakhir yang dapat diperpanjang.',
      en: 'Only an agreement in force or ended can be renewed.',
    });
  }
  // continuous with the current term; an agreement that ended over a year ago restarts today
  const today = todayInJakarta(input.now);
  const next = plusDays(current.termEnd, 1);
  const termStart = oneYearFrom(next) < today ? today : next;
  const termEnd = input.body.termEnd ?? oneYearFrom(termStart);
  if (termEnd <= termStart) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      { id: 'Akhir masa berlaku harus setelah awalnya.', en: 'The term must end after it starts.' },
      [{ path: 'body.termEnd', message: 'before termStart', code: 'too_small' }],
    );
  }
  const data = (await db.selectFrom('agreements').select('documentData').where('id', '=', current.id).executeTakeFirstOrThrow())
    .documentData as { osTemplates?: unknown; additionalLegalBases?: unknown } | null;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const osTemplates = strings(data?.osTemplates);
  const applications = await listAgreementApplications(db, current.id);
  const id = await createAgreement(db, {
    body: {
      institutionId: current.institutionId,
      fiscalYear: Number(termStart.slice(0, 4)),
      termStart,
      termEnd,
      ceiling: ceilingOf(current),
      applicationIds: applications.map((a) => a.id),
      ...(osTemplates.length > 0 ? { osTemplates } : {}),
      additionalLegalBases: strings(data?.additionalLegalBases),
      ...(input.body.institutionHeadUserId ? { institutionHeadUserId: input.body.institutionHeadUserId } : {}),
      ...(input.body.dcHeadUserId ? { dcHeadUserId: input.body.dcHeadUserId } : {}),
    },
    actorUserId: input.actorUserId,
    audit: input.audit,
    publicUrl: input.publicUrl,
    renewsAgreementId: current.id,
    ...(input.now ? { now: input.now } : {}),
  });
  return { id, termStart, termEnd };
}
