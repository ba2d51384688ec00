/** Agreement lifecycle: draft → awaiting_institution_head → awaiting_dc_head → in_force → expired | revoked. */
export const AGREEMENT_STATUSES = ['draft', 'awaiting_institution_head', 'awaiting_dc_head', 'in_force', 'expired', 'revoked'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/**
 * Signing in Betang moves one step at a time. An externally signed PDF (e.g. BSrE) that carries
 * both parties' signatures completes the agreement at once, so awaiting_institution_head may
 * also go straight to in_force — only that path produces it (attach-signed-document.ts).
 */
const TRANSITIONS: Record<AgreementStatus, readonly AgreementStatus[]> = {
  draft: ['awaiting_institution_head', 'revoked'],
  awaiting_institution_head: ['awaiting_dc_head', 'in_force', 'revoked'],
  awaiting_dc_head: ['in_force', 'revoked'],
  in_force: ['expired', 'revoked'],
  expired: [],
  revoked: [],
};

/** True when the agreement lifecycle allows moving from `from` to `to`. */
export function canTransitionAgreement(from: AgreementStatus, to: AgreementStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
