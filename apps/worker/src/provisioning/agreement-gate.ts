import { agreementScopeGaps, todayInJakarta } from '@betang/core';
import { findAgreementInForce, findAgreementScope, findRequestScopeSubject, type Executor } from '@betang/db';
import { permanent } from '../harness/run-error';

/**
 * The worker's gate before anything is reserved: throws a permanent run error unless the
 * request's institution has an agreement in force today (WIB) that lists the request's
 * application and names its OS template — an approval the agreement stopped covering (expired,
 * revoked, replaced, or completed by a policy change) must not become a VM. Read-only, so
 * running it again on a retry asks the same question of the rows as they are then. Returns the
 * covering agreement's id: the VM records it as the agreement its lease runs under.
 */
export async function assertAgreementCoversRequest(db: Executor, request: { id: string; institutionId: string }): Promise<string> {
  const agreement = await findAgreementInForce(db, request.institutionId, todayInJakarta());
  if (!agreement) {
    throw permanent('NO_AGREEMENT_IN_FORCE', {
      id: 'Instansi tidak lagi memiliki perjanjian pemanfaatan server yang berlaku, jadi VPS tidak dibuat. Setelah perjanjian baru ditandatangani kedua kepala, ulangi penyiapan.',
      en: 'The institution no longer has a server-utilization agreement in force, so no VPS was built. Once both heads sign a new agreement, retry the provisioning.',
    });
  }
  const subject = await findRequestScopeSubject(db, request.id);
  const gaps = subject ? agreementScopeGaps(agreement.number, await findAgreementScope(db, agreement.id), subject) : [];
  if (gaps.length > 0) {
    throw permanent(
      'AGREEMENT_NOT_COVERING',
      { id: gaps.map((g) => g.message.id).join(' '), en: gaps.map((g) => g.message.en).join(' ') },
      { agreementId: agreement.id, gaps: gaps.map((g) => ({ kind: g.kind, subject: g.subject })) },
    );
  }
  return agreement.id;
}
