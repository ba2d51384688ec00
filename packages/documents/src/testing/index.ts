/* Test helpers of @betang/documents (package export `@betang/documents/testing`); imported only by tests. */
export { bigExponentIssuerCertificate, certificateFloodSigner, selfSignedCredential } from './hostile-certificates';
export { createSigningFixture, signMeta, TEST_MASTER_SECRET, type SigningFixture } from './signing-fixture';
export { sampleAgreementData } from './agreement-fixture';
