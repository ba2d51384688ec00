/** Agreement lifecycle: draft → awaiting_institution_head → awaiting_dc_head → in_force → expired | revoked. */
export const AGREEMENT_STATUSES = [
  'draft',
  'awaiting_institution_head',
  'awaiting_dc_head',
  'in_force',
  'expired',
  'revoked',
] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

const TRANSITIONS: Record<AgreementStatus, readonly AgreementStatus[]> = {
  draft: ['awaiting_institution_head', 'revoked'],
  awaiting_institution_head: ['awaiting_dc_head', 'revoked'],
  awaiting_dc_head: ['in_force', 'revoked'],
  in_force: ['expired', 'revoked'],
  expired: [],
  revoked: [],
};

/** True when the agreement lifecycle allows moving from `from` to `to`. */
export function canTransitionAgreement(from: AgreementStatus, to: AgreementStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
