import {
  AppError,
  ErrorCode,
  QUOTA_HOLDING_STATUSES,
  agreementScopeGaps,
  ceilingShortfalls,
  todayInJakarta,
  type LocalizedText,
  type RequestStatus,
} from '@betang/core';
import {
  choosePoolFor,
  findAgreementInForce,
  findAgreementScope,
  findRequestScopeSubject,
  getQuota,
  getQuotaUsage,
  heldAddress,
  type Executor,
  type VpsRequestRow,
} from '@betang/db';

/** The checks an operator sees before approving, in the order they depend on each other. */
export const REVIEW_CHECK_KEYS = ['agreement', 'coverage', 'ceiling', 'quota', 'pool'] as const;
export type ReviewCheckKey = (typeof REVIEW_CHECK_KEYS)[number];

/** One check: passed or failed, and a bilingual sentence saying what was found (and, when failed, what to do). */
export type ReviewCheck = { key: ReviewCheckKey; status: 'passed' | 'failed'; message: LocalizedText };

/**
 * The checks that refuse an approval: what the agreement in force allows. Quota and pool are
 * shown too, but a full pool refuses at the final approval on its own and the quota was held at
 * submission.
 */
export const REFUSING: readonly ReviewCheckKey[] = ['agreement', 'coverage', 'ceiling'];

const NEEDS_AGREEMENT: LocalizedText = {
  id: 'Tidak dapat diperiksa tanpa perjanjian yang berlaku.',
  en: 'Cannot be checked without an agreement in force.',
};

const dimensionsOf = (list: { dimension: string }[]): string => list.map((d) => d.dimension).join(', ');

/**
 * Every review check of a request, read-only, from the current rows: the agreement in force
 * today (WIB), whether it covers the request's application and OS template, whether its ceiling
 * covers the institution's usage with this request counted, the institution's quota, and an IP
 * address (held already or free in a pool the request may use). Safe to call any number of
 * times; it writes nothing.
 */
export async function reviewChecks(db: Executor, request: VpsRequestRow): Promise<ReviewCheck[]> {
  const today = todayInJakarta();
  const agreement = await findAgreementInForce(db, request.institutionId, today);
  const checks: ReviewCheck[] = [];
  checks.push(
    agreement
      ? {
          key: 'agreement',
          status: 'passed',
          message: {
            id: `Perjanjian ${agreement.number} berlaku sampai ${agreement.termEnd}.`,
            en: `Agreement ${agreement.number} is in force until ${agreement.termEnd}.`,
          },
        }
      : {
          key: 'agreement',
          status: 'failed',
          message: {
            id: 'Instansi belum memiliki perjanjian pemanfaatan server yang berlaku. Kepala instansi dan Kepala Diskominfosantik harus menandatangani perjanjian terlebih dahulu.',
            en: 'The institution has no server-utilization agreement in force. The head of the institution and the data-center head must sign one first.',
          },
        },
  );

  const subject = await findRequestScopeSubject(db, request.id);
  if (!agreement || !subject) {
    checks.push({ key: 'coverage', status: 'failed', message: NEEDS_AGREEMENT });
  } else {
    const gaps = agreementScopeGaps(agreement.number, await findAgreementScope(db, agreement.id), subject);
    checks.push(
      gaps.length === 0
        ? {
            key: 'coverage',
            status: 'passed',
            message: {
              id: `Aplikasi ${subject.application.name}${subject.template ? ` dan templat ${subject.template.name}` : ''} tercakup dalam perjanjian ${agreement.number}.`,
              en: `Application ${subject.application.name}${subject.template ? ` and template ${subject.template.name}` : ''} ${subject.template ? 'are' : 'is'} covered by agreement ${agreement.number}.`,
            },
          }
        : {
            key: 'coverage',
            status: 'failed',
            message: { id: gaps.map((g) => g.message.id).join(' '), en: gaps.map((g) => g.message.en).join(' ') },
          },
    );
  }

  // Usage counts this request once: it already holds quota while it waits, unless it left those statuses.
  const usage = await getQuotaUsage(db, request.institutionId);
  const counted = QUOTA_HOLDING_STATUSES.includes(request.status as RequestStatus);
  const usageWith = counted
    ? usage
    : {
        cores: usage.cores + request.cores,
        memoryMiB: usage.memoryMiB + request.memoryMiB,
        diskGiB: usage.diskGiB + request.diskGiB,
        vmCount: usage.vmCount + 1,
      };
  if (!agreement) {
    checks.push({ key: 'ceiling', status: 'failed', message: NEEDS_AGREEMENT });
  } else {
    const short = ceilingShortfalls(agreement.ceiling, usageWith);
    const c = agreement.ceiling;
    const total = `${usageWith.cores}/${c.cores} vCPU, ${usageWith.memoryMiB}/${c.memoryMiB} MiB, ${usageWith.diskGiB}/${c.diskGiB} GiB, ${usageWith.vmCount}/${c.vmCount} VM`;
    checks.push(
      short.length === 0
        ? {
            key: 'ceiling',
            status: 'passed',
            message: { id: `Dalam plafon perjanjian: ${total}.`, en: `Within the agreement's ceiling: ${total}.` },
          }
        : {
            key: 'ceiling',
            status: 'failed',
            message: {
              id: `Melebihi plafon perjanjian untuk: ${dimensionsOf(short)} (${total}). Perbarui perjanjian dengan plafon lebih besar.`,
              en: `Exceeds the agreement's ceiling for: ${dimensionsOf(short)} (${total}). Renew the agreement with a larger ceiling.`,
            },
          },
    );
  }

  const { limits } = await getQuota(db, request.institutionId);
  const overQuota = (['cores', 'memoryMiB', 'diskGiB', 'vmCount'] as const)
    .filter((d) => usageWith[d] > limits[d])
    .map((dimension) => ({ dimension }));
  const quotaText = `${usageWith.cores}/${limits.cores} vCPU, ${usageWith.memoryMiB}/${limits.memoryMiB} MiB, ${usageWith.diskGiB}/${limits.diskGiB} GiB, ${usageWith.vmCount}/${limits.vmCount} VM`;
  checks.push(
    overQuota.length === 0
      ? {
          key: 'quota',
          status: 'passed',
          message: { id: `Dalam kuota instansi: ${quotaText}.`, en: `Within the institution's quota: ${quotaText}.` },
        }
      : {
          key: 'quota',
          status: 'failed',
          message: {
            id: `Melebihi kuota instansi untuk: ${dimensionsOf(overQuota)} (${quotaText}). Naikkan kuota di halaman instansi atau tolak permintaan.`,
            en: `Exceeds the institution's quota for: ${dimensionsOf(overQuota)} (${quotaText}). Raise the quota on the institution's page or reject the request.`,
          },
        },
  );

  const held = await heldAddress(db, request.id);
  const pool = held ? undefined : await choosePoolFor(db, request.institutionId);
  checks.push(
    held
      ? {
          key: 'pool',
          status: 'passed',
          message: { id: `Alamat ${held.address} sudah dicadangkan.`, en: `Address ${held.address} is already reserved.` },
        }
      : pool
        ? {
            key: 'pool',
            status: 'passed',
            message: {
              id: `Pool ${pool.name} masih punya ${pool.size - pool.held} alamat bebas.`,
              en: `Pool ${pool.name} has ${pool.size - pool.held} free addresses.`,
            },
          }
        : {
            key: 'pool',
            status: 'failed',
            message: {
              id: 'Tidak ada alamat IP bebas di pool instansi ini maupun pool bersama. Tambah pool atau perluas rentangnya.',
              en: "No free IP address in the institution's pools or the shared ones. Add a pool or widen its range.",
            },
          },
  );
  return checks;
}

/**
 * Refuses (NO_AGREEMENT_IN_FORCE, 422, with every failed check in `details.checks`) an approval
 * the agreement in force does not allow: none in force, the application or template not covered,
 * or the ceiling exceeded. Read-only, so safe to call before every decision.
 */
export async function assertApprovalCovered(db: Executor, request: VpsRequestRow): Promise<void> {
  const failed = (await reviewChecks(db, request)).filter((c) => REFUSING.includes(c.key) && c.status === 'failed');
  if (failed.length === 0) return;
  // "Cannot be checked without an agreement" adds nothing to the missing agreement itself.
  const said = failed.filter((c) => c.message !== NEEDS_AGREEMENT);
  throw new AppError(
    ErrorCode.NoAgreementInForce,
    { id: said.map((c) => c.message.id).join(' '), en: said.map((c) => c.message.en).join(' ') },
    { checks: failed },
  );
}
