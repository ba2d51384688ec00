import { Role, vpsFailedMessages } from '@betang/core';
import { enqueueEmail, findVpsRequest, notify, operatorEmails, userIdsWithRole, type Tx } from '@betang/db';
import { failureEmail } from './failure-email';
import type { RunFailure } from './run-definition';

/**
 * Tells people a run failed for good, in the run's finishing transaction. A failed provisioning
 * goes through the notification service: the requester reads the humane message (no codes, no
 * runbook), operators get the code, the advice with its runbook section and where to retry.
 * Other runs (power actions, resize, decommission) keep the operators' e-mail. Safe to run twice:
 * the notifications' reasons and the e-mail's dedup key name the run.
 */
export async function noticeRunFailed(
  tx: Tx,
  run: { id: string; kind: string; requestId: string; attempt: number },
  subject: string,
  failure: RunFailure,
): Promise<void> {
  const request = run.kind === 'provision' ? await findVpsRequest(tx, run.requestId) : undefined;
  if (request) {
    const messages = vpsFailedMessages(
      { id: request.id, hostname: request.hostname, institutionId: request.institutionId },
      run.id,
      failure,
    );
    await notify(tx, { ...messages.requester, recipients: [request.requestedBy] });
    await notify(tx, { ...messages.operators, recipients: await userIdsWithRole(tx, Role.Operator) });
    return;
  }
  const email = failureEmail(
    await operatorEmails(tx),
    run.kind as Parameters<typeof failureEmail>[1],
    subject,
    run.requestId,
    run.id,
    failure,
  );
  if (email) await enqueueEmail(tx, email, `run-failed:${run.id}:${run.attempt}`);
}
