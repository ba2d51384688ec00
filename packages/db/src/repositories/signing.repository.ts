import type { Executor, Tx } from '../database';

const CA_SETTING_KEY = 'signing.internal_ca';

/** The internal signing CA as stored: certificate and private key encrypted under the master secret. */
type StoredSigningCa = { certPem: string; encryptedKey: string };

/** The stored internal signing CA, or undefined before its first use. */
export async function findSigningCa(db: Executor): Promise<StoredSigningCa | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', CA_SETTING_KEY).executeTakeFirst();
  const value = row?.value as Partial<StoredSigningCa> | undefined;
  return value?.certPem && value.encryptedKey ? { certPem: value.certPem, encryptedKey: value.encryptedKey } : undefined;
}

/**
 * Stores the CA unless one exists and returns the one stored. Two processes creating a CA at
 * the same time both end up using the first one written (insert … on conflict do nothing).
 */
export async function saveSigningCaOnce(db: Executor, ca: StoredSigningCa): Promise<StoredSigningCa> {
  await db
    .insertInto('settings')
    .values({ key: CA_SETTING_KEY, value: JSON.stringify(ca) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await findSigningCa(db);
  if (!stored) throw new Error('signing CA setting vanished after insert');
  return stored;
}

/** A signer's certificate and encrypted key. */
type StoredSigningCredential = { certPem: string; encryptedKey: string };

/** The user's signing credential, or undefined before their first signature. */
export async function findSigningCredential(db: Executor, userId: string): Promise<StoredSigningCredential | undefined> {
  return db
    .selectFrom('signingCredentials')
    .select(['certificatePem as certPem', 'encryptedPrivateKey as encryptedKey'])
    .where('userId', '=', userId)
    .executeTakeFirst();
}

/** Stores the user's credential unless one exists (concurrent first uses keep the first) and returns the stored one. */
export async function saveSigningCredentialOnce(
  db: Executor,
  userId: string,
  credential: StoredSigningCredential,
): Promise<StoredSigningCredential> {
  await db
    .insertInto('signingCredentials')
    .values({ userId, certificatePem: credential.certPem, encryptedPrivateKey: credential.encryptedKey })
    .onConflict((oc) => oc.column('userId').doNothing())
    .execute();
  const stored = await findSigningCredential(db, userId);
  if (!stored) throw new Error('signing credential vanished after insert');
  return stored;
}

type SignatureRole = 'institution_head' | 'dc_head' | 'external';

/** A recorded signature of an agreement. */
export type AgreementSignatureRow = {
  position: number;
  signerRole: SignatureRole;
  signerName: string;
  signerUserId: string | null;
  method: 'internal_ca' | 'external';
  signedAt: Date;
  sha256Before: string;
  sha256After: string;
  /** The operator who accepted an external document no trust root vouched for; null otherwise. */
  acceptedBy: string | null;
};

/** Signatures of an agreement in signing order. */
export async function listAgreementSignatures(db: Executor, agreementId: string): Promise<AgreementSignatureRow[]> {
  const rows = await db
    .selectFrom('agreementSignatures')
    .select(['position', 'signerRole', 'signerName', 'signerUserId', 'method', 'signedAt', 'sha256Before', 'sha256After', 'acceptedBy'])
    .where('agreementId', '=', agreementId)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ ...r, signerRole: r.signerRole as SignatureRole, method: r.method as AgreementSignatureRow['method'] }));
}

/** Records a signature in the caller's transaction; (agreement, position) and (agreement, role) are unique in the database. */
export async function insertAgreementSignature(
  tx: Tx,
  s: Omit<AgreementSignatureRow, 'signedAt' | 'acceptedBy'> & {
    acceptedBy?: string | null;
    agreementId: string;
    signedAt: Date;
    certificatePem: string | null;
    consentText: string;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  await tx.insertInto('agreementSignatures').values(s).execute();
}
