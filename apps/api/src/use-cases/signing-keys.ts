import type { UserRecord } from '@betang/db';
import { findSigningCa, findSigningCredential, saveSigningCaOnce, saveSigningCredentialOnce, type Executor } from '@betang/db';
import { DATA_CENTER_OFFICE_NAME, createSigningCa, issueSignerCredential, type SignerCredential, type SigningCa } from '@betang/documents';

/** Common name of Betang's internal signing CA (uncertified electronic signatures, PP 71/2019). */
const INTERNAL_CA_NAME = 'Betang Internal Signing CA';

/**
 * The internal signing CA, created on first use (key encrypted under the master secret) and
 * stored once: concurrent first uses all end up with the CA that was stored first.
 */
async function ensureSigningCa(db: Executor, masterSecret: string): Promise<SigningCa> {
  const existing = await findSigningCa(db);
  if (existing) return existing;
  return saveSigningCaOnce(db, createSigningCa({ commonName: INTERNAL_CA_NAME, organization: DATA_CENTER_OFFICE_NAME, masterSecret }));
}

/**
 * The signer's credential, issued by the internal CA on the user's first signature and stored
 * once (the private key only ever encrypted). Safe to call concurrently: the first stored wins.
 */
export async function ensureSignerCredential(
  db: Executor,
  masterSecret: string,
  user: UserRecord,
  signer: { title: string; organization: string },
): Promise<SignerCredential> {
  const ca = await ensureSigningCa(db, masterSecret);
  const existing = await findSigningCredential(db, user.id);
  if (existing) return { ...existing, chainPems: [ca.certPem] };
  const issued = issueSignerCredential(ca, masterSecret, {
    name: user.name.slice(0, 120),
    email: user.email,
    ...(user.nip ? { nip: user.nip } : {}),
    role: signer.title.slice(0, 120),
    institution: signer.organization.slice(0, 200),
  });
  const stored = await saveSigningCredentialOnce(db, user.id, { certPem: issued.certPem, encryptedKey: issued.encryptedKey });
  return { ...stored, chainPems: [ca.certPem] };
}
