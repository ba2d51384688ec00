import type { AgreementStatus } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';
import type { StatusTone } from '../../ui/status-badge';

/** Label and tone of each agreement status. */
export const AGREEMENT_STATUS: Record<AgreementStatus, { label: MessageKey; tone: StatusTone }> = {
  draft: { label: 'opAgreements.status.draft', tone: 'idle' },
  awaiting_institution_head: { label: 'opAgreements.status.awaitingInstitutionHead', tone: 'busy' },
  awaiting_dc_head: { label: 'opAgreements.status.awaitingDcHead', tone: 'busy' },
  in_force: { label: 'opAgreements.status.inForce', tone: 'good' },
  expired: { label: 'opAgreements.status.expired', tone: 'bad' },
  revoked: { label: 'opAgreements.status.revoked', tone: 'bad' },
};

/** The current year in WIB (the fiscal year a new agreement defaults to). */
export function currentFiscalYear(now = new Date()): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Jakarta', year: 'numeric' }).format(now));
}
