import { Role, agreementInForceMessage, agreementSignedMessage, signTurnMessage } from '@betang/core';
import { findInstitution, notify, userIdsWithRole, type Executor } from '@betang/db';

/** Where an agreement stands after a change: just generated, signed by the institution head, or in force. */
type AgreementStep = 'created' | 'institution_signed' | 'in_force';

/**
 * Tells the people whose turn it is, in the caller's transaction: on creation the institution's
 * heads (their turn to sign); after the institution head signed, the data-center heads (their
 * turn) and the institution's heads (signed); once in force, the institution's heads and staff.
 * Safe to call twice for the same step: every notification's reason names the agreement and step.
 */
export async function notifyAgreementStep(
  tx: Executor,
  agreement: { id: string; number: string; institutionId: string },
  step: AgreementStep,
): Promise<void> {
  const institution = await findInstitution(tx, agreement.institutionId);
  const ref = { ...agreement, institutionName: institution?.name ?? '' };
  const heads = await userIdsWithRole(tx, Role.InstitutionHead, agreement.institutionId);
  if (step === 'created') {
    await notify(tx, { ...signTurnMessage(ref, 'institution_head'), recipients: heads });
  } else if (step === 'institution_signed') {
    await notify(tx, { ...signTurnMessage(ref, 'dc_head'), recipients: await userIdsWithRole(tx, Role.DcHead) });
    await notify(tx, { ...agreementSignedMessage(ref), recipients: heads });
  } else {
    const staff = await userIdsWithRole(tx, Role.InstitutionStaff, agreement.institutionId);
    await notify(tx, { ...agreementInForceMessage(ref), recipients: [...heads, ...staff] });
  }
}
