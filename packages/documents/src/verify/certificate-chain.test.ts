import { X509Certificate } from 'node:crypto';
import { createSigningCa, issueSignerCredential } from '../crypto/signing-ca';
import { TEST_MASTER_SECRET } from '../testing/signing-fixture';
import { parseTrustAnchors, trustAnchorOf } from './certificate-chain';
import { certInfo } from './certificate-info';
import { VerificationBudget } from './verification-limits';

const info = (pem: string) => certInfo(Buffer.from(new X509Certificate(pem).raw));
const identity = (name: string) => ({ name, email: `${name.toLowerCase()}@kalteng.go.id`, role: 'Uji', institution: 'Uji' });

describe('trustAnchorOf', () => {
  const root = createSigningCa({ commonName: 'Akar Rantai', organization: 'Uji', masterSecret: TEST_MASTER_SECRET });
  const leaf = issueSignerCredential(root, TEST_MASTER_SECRET, identity('Daun'), { keyBits: 2048, validityDays: 30 });
  // A certificate without basicConstraints CA used as if it were an intermediate CA.
  const notCa = { certPem: leaf.certPem, encryptedKey: leaf.encryptedKey };
  const underNotCa = issueSignerCredential(notCa, TEST_MASTER_SECRET, identity('Cucu'), { keyBits: 2048, validityDays: 10 });
  const anchors = parseTrustAnchors([root.certPem, 'bukan PEM']);
  const rootFingerprint = new X509Certificate(root.certPem).fingerprint256;

  it('should reach the configured root from a certificate it issued, while every certificate is valid', async () => {
    expect(await trustAnchorOf(info(leaf.certPem), [], anchors, new Date(), new VerificationBudget())).toBe(rootFingerprint);
    expect(await trustAnchorOf(info(leaf.certPem), [], [], new Date(), new VerificationBudget())).toBeNull();
  });

  it('should refuse a signing time outside the validity of a link', async () => {
    expect(
      await trustAnchorOf(info(leaf.certPem), [], anchors, new Date(Date.now() + 60 * 24 * 3600 * 1000), new VerificationBudget()),
    ).toBeNull();
    expect(await trustAnchorOf(info(leaf.certPem), [], anchors, new Date('2001-01-01T00:00:00Z'), new VerificationBudget())).toBeNull();
  });

  it('should not pass through a certificate that is not a CA, even when its signature links up', async () => {
    expect(new X509Certificate(underNotCa.certPem).verify(new X509Certificate(leaf.certPem).publicKey)).toBe(true);
    expect(await trustAnchorOf(info(underNotCa.certPem), [info(leaf.certPem)], anchors, new Date(), new VerificationBudget())).toBeNull();
  });

  it('should not trust a look-alike root whose key did not sign the certificate', async () => {
    const lookAlike = createSigningCa({ commonName: 'Akar Rantai', organization: 'Uji', masterSecret: TEST_MASTER_SECRET });
    expect(
      await trustAnchorOf(
        info(leaf.certPem),
        [info(lookAlike.certPem)],
        parseTrustAnchors([lookAlike.certPem]),
        new Date(),
        new VerificationBudget(),
      ),
    ).toBeNull();
  });
});
