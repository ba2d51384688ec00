import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAgreementPdf } from '../agreement/render-agreement-pdf';
import { sampleAgreementData } from '../testing/agreement-fixture';
import { verifyPdfSignatures, type VerifiedSignature } from './verify-pdf-signatures';

jest.setTimeout(180_000);

/*
 * A corpus of PDFs signed by tools other than Betang (poppler's pdfsig with an NSS database, and
 * OpenSSL's `cms -sign` placed into a PDF's /Contents), built at test time in a temp dir, each
 * judged by Betang's verifier and by pdfsig. Trust is configured the same way on both sides: the
 * root Betang receives in trustedCaPems (as the API passes SIGNATURE_TRUST_ROOTS_FILE) is the one
 * root trusted in the NSS database pdfsig verifies with. No certificate carries an AIA/OCSP
 * address, so pdfsig contacts nothing; it runs without -no-ocsp because poppler 22.12 then reports
 * every trusted chain as "Unknown issue with Certificate".
 */

type Verdict = {
  signature: 'valid' | 'digest-mismatch' | 'invalid';
  certificate: 'trusted' | 'untrusted' | 'expired' | null;
  wholeFile: boolean;
};

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`${cmd} failed to start (${r.error.message}); install poppler-utils, libnss3-tools and openssl`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const CA_CONFIG = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca ]
default_ca = ca_uji
[ ca_uji ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
emailAddress = optional
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** Keys and certificates made with OpenSSL in `dir`: issue() runs `openssl ca` so dates can lie in the past. */
class OpenSslCa {
  constructor(
    private readonly dir: string,
    readonly name: string,
  ) {}

  static root(dir: string, name: string, subject: string): OpenSslCa {
    const ca = new OpenSslCa(dir, name);
    ca.key(name, 'rsa');
    run(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '365',
        '-subj',
        subject,
        '-config',
        'ca.cnf',
        '-extensions',
        'v3_ca',
      ],
      dir,
    );
    return ca;
  }

  key(name: string, kind: 'rsa' | 'ec'): void {
    const opts =
      kind === 'rsa'
        ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
        : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    run('openssl', ['genpkey', ...opts, '-out', `${name}.key`], this.dir);
  }

  /** A certificate for `name` signed by this CA; `dates` as openssl's YYYYMMDDHHMMSSZ. */
  issue(name: string, subject: string, o: { kind?: 'rsa' | 'ec'; ca?: boolean; start?: string; end?: string } = {}): OpenSslCa {
    this.key(name, o.kind ?? 'rsa');
    run('openssl', ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subject, '-config', 'ca.cnf'], this.dir);
    const dates = o.start && o.end ? ['-startdate', o.start, '-enddate', o.end] : ['-days', '200'];
    run(
      'openssl',
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-notext',
        '-cert',
        `${this.name}.pem`,
        '-keyfile',
        `${this.name}.key`,
        '-in',
        `${name}.csr`,
        '-out',
        `${name}.pem`,
        '-extensions',
        o.ca ? 'v3_ca' : 'v3_leaf',
        ...dates,
      ],
      this.dir,
    );
    return new OpenSslCa(this.dir, name);
  }

  pem(): string {
    return readFileSync(join(this.dir, `${this.name}.pem`), 'utf8');
  }
}

const PLACEHOLDER_HEX = 16_384;
const RANGE_SLOT = '[0 0000000000 0000000000 0000000000]';

/** A one-page PDF with an AcroForm signature field whose /Contents is a zero placeholder (written by hand: no Betang code). */
function placeholderPdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 770 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 7 0 R >> >> /Annots [5 0 R] >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Tanda tangan OpenSSL) /Rect [0 0 0 0] /F 132 /P 3 0 R /V 6 0 R >>',
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange ${RANGE_SLOT} /Contents <${'0'.repeat(PLACEHOLDER_HEX)}> /Reason (Menyetujui) /M (D:20261207000000Z) >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** Fills the placeholder's /ByteRange and /Contents with a detached CMS made by `openssl cms -sign`. */
function signWithOpenSsl(dir: string, pdf: Buffer, signer: string, chain: string[], extra: string[] = []): Buffer {
  const out = Buffer.from(pdf);
  const b = out.indexOf('/Contents <') + '/Contents '.length;
  const c = b + PLACEHOLDER_HEX + 2;
  const range = `[0 ${b} ${c} ${out.length - c}]`.padEnd(RANGE_SLOT.length, ' ');
  out.write(range, out.indexOf(RANGE_SLOT), 'latin1');
  writeFileSync(join(dir, 'covered.bin'), Buffer.concat([out.subarray(0, b), out.subarray(c)]));
  writeFileSync(join(dir, 'chain.pem'), chain.join(''));
  run(
    'openssl',
    [
      'cms',
      '-sign',
      '-binary',
      '-in',
      'covered.bin',
      '-signer',
      `${signer}.pem`,
      '-inkey',
      `${signer}.key`,
      '-certfile',
      'chain.pem',
      '-md',
      'sha256',
      '-outform',
      'DER',
      '-out',
      'sig.der',
      ...extra,
    ],
    dir,
  );
  const hex = readFileSync(join(dir, 'sig.der')).toString('hex');
  if (hex.length > PLACEHOLDER_HEX) throw new Error('CMS larger than the placeholder');
  out.write(hex, b + 1, 'latin1');
  return out;
}

/** An incremental update after the last revision (a changed Info dictionary), which no signature covers. */
function appendUnsignedRevision(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const size = Math.max(...[...text.matchAll(/\/Size (\d+)/g)].map((m) => Number(m[1])));
  const root = [...text.matchAll(/\/Root (\d+ \d+ R)/g)].pop()?.[1];
  const obj = `${size} 0 obj\n<< /Title (Diubah setelah ditandatangani) >>\nendobj\n`;
  const at = pdf.length;
  const xref = at + obj.length;
  const tail = `xref\n0 1\n0000000000 65535 f \n${size} 1\n${String(at).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(obj + tail, 'latin1')]);
}

function pdfsigVerdicts(dir: string, file: string, nssdir: string): Verdict[] {
  const out = run('pdfsig', ['-nssdir', `sql:${nssdir}`, file], dir);
  return out
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => {
      const validation = /Signature Validation: (.+)/.exec(block)?.[1]?.trim();
      const certificate = /Certificate Validation: (.+)/.exec(block)?.[1]?.trim();
      const signature = validation === 'Signature is Valid.' ? 'valid' : validation === 'Digest Mismatch.' ? 'digest-mismatch' : 'invalid';
      const cert =
        signature !== 'valid'
          ? null
          : certificate === 'Certificate is Trusted.'
            ? 'trusted'
            : certificate === "Certificate issuer isn't Trusted."
              ? 'untrusted'
              : certificate === 'Certificate has Expired'
                ? 'expired'
                : (() => {
                    throw new Error(`pdfsig gave a certificate verdict this test does not map: ${certificate ?? '(none)'}\n${out}`);
                  })();
      return { signature, certificate: cert, wholeFile: /^\s*- Total document signed/m.test(block) };
    });
}

/** Betang's report in pdfsig's terms: an untrusted signer outside its validity at the signing time is "expired". */
function betangVerdict(s: VerifiedSignature): Verdict {
  const signature = !s.digestValid ? 'digest-mismatch' : !s.signatureValid ? 'invalid' : 'valid';
  const cert = new X509Certificate(s.signerCertPem);
  const at = (s.signedAt ?? new Date()).getTime();
  const expired = at > new Date(cert.validTo).getTime() || at < new Date(cert.validFrom).getTime();
  const certificate = signature !== 'valid' ? null : s.chainTrusted ? 'trusted' : expired ? 'expired' : 'untrusted';
  return { signature, certificate, wholeFile: s.coversWholeFile };
}

describe('signatures made by other tools, judged by Betang and by pdfsig alike', () => {
  let dir: string;
  const corpus: Array<{ name: string; pdf: Buffer; expected: Verdict[] }> = [];
  let configuredRoot: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'betang-foreign-sig-'));
    writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    mkdirSync(join(dir, 'issued'));
    const root = OpenSslCa.root(dir, 'akar', '/CN=Akar Penyelenggara Uji/O=Pihak Luar');
    configuredRoot = root.pem();
    const signer = root.issue('penanda', '/CN=Penanda Luar/O=Pihak Luar/emailAddress=penanda@contoh.go.id');
    const ecSigner = root.issue('penanda-ec', '/CN=Penanda EC/O=Pihak Luar');
    const expired = root.issue('kedaluwarsa', '/CN=Penanda Kedaluwarsa/O=Pihak Luar', { start: '20200101000000Z', end: '20210101000000Z' });
    const otherRoot = OpenSslCa.root(dir, 'akar-lain', '/CN=Akar Lain/O=Bukan Yang Dikonfigurasi');
    const otherIntermediate = otherRoot.issue('antara-lain', '/CN=Antara Lain/O=Bukan Yang Dikonfigurasi', { ca: true });
    const foreign = otherIntermediate.issue('penanda-lain', '/CN=Penanda Rantai Lain/O=Bukan Yang Dikonfigurasi');

    // pdfsig signs from an NSS database holding the signer's key; it verifies with another one that
    // trusts exactly the configured root.
    for (const db of ['nss-sign', 'nss-trust']) {
      mkdirSync(join(dir, db));
      run('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'], dir);
    }
    for (const nick of [signer.name, ecSigner.name]) {
      run(
        'openssl',
        [
          'pkcs12',
          '-export',
          '-in',
          `${nick}.pem`,
          '-inkey',
          `${nick}.key`,
          '-certfile',
          'akar.pem',
          '-name',
          nick,
          '-out',
          `${nick}.p12`,
          '-passout',
          'pass:uji',
        ],
        dir,
      );
      run('pk12util', ['-i', `${nick}.p12`, '-d', 'sql:nss-sign', '-W', 'uji'], dir);
    }
    run('certutil', ['-A', '-d', 'sql:nss-trust', '-n', 'akar', '-t', 'C,C,C', '-i', 'akar.pem'], dir);

    const agreement = await renderAgreementPdf(sampleAgreementData());
    writeFileSync(join(dir, 'agreement.pdf'), agreement);
    // pdfsig 22.12 refuses -etsi with -add-signature, so its signatures are adbe.pkcs7.detached.
    const pdfsigSign = (input: string, out: string, field: string, nick: string) => {
      run(
        'pdfsig',
        [
          '-nssdir',
          'sql:nss-sign',
          '-add-signature',
          '-nick',
          nick,
          '-reason',
          'Menyetujui Perjanjian',
          '-new-signature-field-name',
          field,
          input,
          out,
        ],
        dir,
      );
      return readFileSync(join(dir, out));
    };
    const byPdfsig = pdfsigSign('agreement.pdf', 'pdfsig-once.pdf', 'ttd1', signer.name);
    // The second party signs with another certificate: pdfsig 22.12 reports the same certificate,
    // validated a second time in one run, as "Unknown issue with Certificate".
    const byPdfsigTwice = pdfsigSign('pdfsig-once.pdf', 'pdfsig-twice.pdf', 'ttd2', ecSigner.name);
    const plain = placeholderPdf('Perjanjian uji yang ditandatangani dengan OpenSSL');
    const byOpenSsl = signWithOpenSsl(dir, plain, signer.name, [configuredRoot]);
    const tampered = Buffer.from(byOpenSsl);
    tampered[byOpenSsl.indexOf('Perjanjian uji') + 2] = 0x58;
    const trusted: Verdict = { signature: 'valid', certificate: 'trusted', wholeFile: true };

    corpus.push(
      { name: 'pdfsig adbe.pkcs7.detached (NSS)', pdf: byPdfsig, expected: [trusted] },
      { name: 'pdfsig, signed twice (RSA, then ECDSA)', pdf: byPdfsigTwice, expected: [{ ...trusted, wholeFile: false }, trusted] },
      {
        name: 'pdfsig, then an unsigned revision appended',
        pdf: appendUnsignedRevision(byPdfsig),
        expected: [{ ...trusted, wholeFile: false }],
      },
      { name: 'openssl cms, RSA', pdf: byOpenSsl, expected: [trusted] },
      {
        name: 'openssl cms -cades (signing-certificate-v2)',
        pdf: signWithOpenSsl(dir, plain, signer.name, [configuredRoot], ['-cades']),
        expected: [trusted],
      },
      { name: 'openssl cms, ECDSA P-256', pdf: signWithOpenSsl(dir, plain, ecSigner.name, [configuredRoot]), expected: [trusted] },
      {
        name: 'openssl cms, RSA-PSS',
        pdf: signWithOpenSsl(dir, plain, signer.name, [configuredRoot], ['-keyopt', 'rsa_padding_mode:pss']),
        expected: [trusted],
      },
      {
        name: 'openssl cms, chain ending at a root that is not configured',
        pdf: signWithOpenSsl(dir, plain, foreign.name, [otherIntermediate.pem(), otherRoot.pem()]),
        expected: [{ ...trusted, certificate: 'untrusted' }],
      },
      {
        name: 'openssl cms, expired signer certificate',
        pdf: signWithOpenSsl(dir, plain, expired.name, [configuredRoot]),
        expected: [{ ...trusted, certificate: 'expired' }],
      },
      {
        name: 'openssl cms, byte range not reaching the end of the file',
        pdf: appendUnsignedRevision(byOpenSsl),
        expected: [{ ...trusted, wholeFile: false }],
      },
      {
        name: 'openssl cms, a signed byte changed',
        pdf: tampered,
        expected: [{ signature: 'digest-mismatch', certificate: null, wholeFile: true }],
      },
    );
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should have built a corpus whose certificates name no address to fetch from', () => {
    expect(corpus).toHaveLength(11);
    for (const name of ['akar', 'penanda', 'penanda-ec', 'kedaluwarsa', 'akar-lain', 'antara-lain', 'penanda-lain']) {
      expect(new X509Certificate(readFileSync(join(dir, `${name}.pem`))).infoAccess).toBeUndefined();
    }
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('should agree with pdfsig on corpus file %i', async (i) => {
    const entry = corpus[i]!;
    const file = `corpus-${i}.pdf`;
    writeFileSync(join(dir, file), entry.pdf);
    const fromPdfsig = pdfsigVerdicts(dir, file, 'nss-trust');
    const report = await verifyPdfSignatures(entry.pdf, { trustedCaPems: [configuredRoot] });
    const fromBetang = report.signatures.map(betangVerdict);
    expect({ name: entry.name, verdicts: fromPdfsig }).toEqual({ name: entry.name, verdicts: entry.expected });
    expect({ name: entry.name, verdicts: fromBetang }).toEqual({ name: entry.name, verdicts: fromPdfsig });
    expect(report.modifiedAfterLastSignature).toBe(!entry.expected[entry.expected.length - 1]?.wholeFile);
  });

  it('should name the signer of a pdfsig signature from its certificate', async () => {
    const [s] = (await verifyPdfSignatures(corpus[0]!.pdf, { trustedCaPems: [configuredRoot] })).signatures;
    expect(s).toMatchObject({
      signerName: 'Penanda Luar',
      signerIdentity: { commonName: 'Penanda Luar', emails: ['penanda@contoh.go.id'] },
      subFilter: 'adbe.pkcs7.detached',
    });
    expect(s?.trustAnchorFingerprint).toBe(new X509Certificate(configuredRoot).fingerprint256);
  });
});
