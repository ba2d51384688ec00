import type { AgreementStatus } from '@betang/core';
import type { Executor, Tx } from '../database';
import type { LockedAgreement } from './agreement.repository';

/** A signature as found in an uploaded PDF, kept with a pending document for the operator's review. */
export type PendingSigner = { name: string; signedAt: string | null; trusted: boolean; serialNumbers: string[]; emails: string[] };

/** An externally signed document waiting for an operator's decision. */
export type PendingDocument = {
  agreementId: string;
  sha256: string;
  baseSha256: string;
  signers: PendingSigner[];
  uploadedBy: string | null;
  uploadedByName: string | null;
  uploadedAt: Date;
};

/** The agreement row with both documents, read without a lock (checks that must not hold one). */
export async function findAgreementWithDocuments(db: Executor, id: string): Promise<LockedAgreement | undefined> {
  const row = await db.selectFrom('agreements').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...row, status: row.status as AgreementStatus };
}

/** The pending document of an agreement without its bytes; undefined when none waits. */
export async function findPendingDocument(db: Executor, agreementId: string): Promise<PendingDocument | undefined> {
  const row = await db
    .selectFrom('agreementPendingDocuments as p')
    .leftJoin('users as u', 'u.id', 'p.uploadedBy')
    .select(['p.agreementId', 'p.sha256', 'p.baseSha256', 'p.signers', 'p.uploadedBy', 'u.name as uploadedByName', 'p.uploadedAt'])
    .where('p.agreementId', '=', agreementId)
    .executeTakeFirst();
  return row && { ...row, signers: row.signers as PendingSigner[] };
}

/** Which of these agreements have a document waiting for acceptance (for lists). */
export async function agreementsWithPendingDocument(db: Executor, agreementIds: string[]): Promise<Set<string>> {
  if (agreementIds.length === 0) return new Set();
  const rows = await db.selectFrom('agreementPendingDocuments').select('agreementId').where('agreementId', 'in', agreementIds).execute();
  return new Set(rows.map((r) => r.agreementId));
}

/** The pending document's bytes; undefined when none waits. */
export async function findPendingDocumentBytes(
  db: Executor,
  agreementId: string,
): Promise<{ document: Buffer; sha256: string } | undefined> {
  return db
    .selectFrom('agreementPendingDocuments')
    .select(['document', 'sha256'])
    .where('agreementId', '=', agreementId)
    .executeTakeFirst();
}

/** Stores (or replaces) the one pending document of an agreement, in the caller's transaction. */
export async function savePendingDocument(
  tx: Tx,
  p: { agreementId: string; document: Buffer; sha256: string; baseSha256: string; signers: PendingSigner[]; uploadedBy: string | null },
): Promise<void> {
  const values = { ...p, signers: JSON.stringify(p.signers), uploadedAt: new Date() };
  await tx
    .insertInto('agreementPendingDocuments')
    .values(values)
    .onConflict((oc) =>
      oc.column('agreementId').doUpdateSet({
        document: values.document,
        sha256: values.sha256,
        baseSha256: values.baseSha256,
        signers: values.signers,
        uploadedBy: values.uploadedBy,
        uploadedAt: values.uploadedAt,
      }),
    )
    .execute();
}

/** Removes the pending document of an agreement; true when there was one. */
export async function deletePendingDocument(tx: Tx, agreementId: string): Promise<boolean> {
  const r = await tx.deleteFrom('agreementPendingDocuments').where('agreementId', '=', agreementId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Who the office expects to sign: the heads printed on the document, with their NIP and the e-mails of active users holding that NIP and role. */
export type ExpectedSigner = { role: 'institution_head' | 'dc_head'; name: string; nip: string | null; emails: string[] };

type PrintedHead = { name?: unknown; nip?: unknown };

/**
 * The two expected signers of an agreement in signing order (institution head, then data-center
 * head), from the render input stored with it. E-mails come from the active users who hold that
 * NIP and the matching role (for the institution head: in the agreement's institution).
 */
export async function findExpectedSigners(
  db: Executor,
  agreement: { institutionId: string; documentData: unknown },
): Promise<ExpectedSigner[]> {
  const data = (agreement.documentData ?? {}) as { institution?: { head?: PrintedHead }; dataCenter?: { head?: PrintedHead } };
  const printed = (head: PrintedHead | undefined) => ({
    name: typeof head?.name === 'string' ? head.name : '',
    nip: typeof head?.nip === 'string' ? head.nip : null,
  });
  const emailsOf = async (nip: string | null, role: 'institution_head' | 'dc_head') => {
    if (!nip) return [];
    let q = db
      .selectFrom('users')
      .innerJoin('userRoles', 'userRoles.userId', 'users.id')
      .select('users.email')
      .where('users.nip', '=', nip)
      .where('users.isActive', '=', true)
      .where('userRoles.role', '=', role);
    if (role === 'institution_head') q = q.where('users.institutionId', '=', agreement.institutionId);
    return (await q.execute()).map((r) => r.email.toLowerCase());
  };
  const inst = printed(data.institution?.head);
  const dc = printed(data.dataCenter?.head);
  return [
    { role: 'institution_head', ...inst, emails: await emailsOf(inst.nip, 'institution_head') },
    { role: 'dc_head', ...dc, emails: await emailsOf(dc.nip, 'dc_head') },
  ];
}
