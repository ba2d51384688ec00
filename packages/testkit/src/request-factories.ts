import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '@betang/db';

/** A valid ed25519 public key line for requests (the key itself is random and never used to log in). */
export function testSshKey(comment = 'uji@betang'): string {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), randomBytes(32)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

/** Creates an inventory application of an institution. */
export async function makeApplication(db: Db, institutionId: string, name = `SIPD-${randomBytes(3).toString('hex')}`): Promise<string> {
  const row = await db
    .insertInto('applications')
    .values({
      institutionId,
      name,
      kind: 'khusus',
      picName: 'Budi Santoso',
      picNip: '198501012010011001',
      picEmail: 'budi@kalteng.go.id',
      dataClassification: 'rendah',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Creates an agreement already in force (both signatures assumed) for the whole current year
 * with the given ceiling. The document bytes are a placeholder: tests of the request flow need
 * the gate's row, not a signed PDF (the agreements' own tests sign real ones).
 */
export async function makeAgreementInForce(
  db: Db,
  institutionId: string,
  ceiling = { cores: 64, memoryMiB: 262_144, diskGiB: 4000, vmCount: 32, ipCount: 32 },
  term?: { start: string; end: string },
): Promise<string> {
  const year = new Date().getUTCFullYear();
  const document = Buffer.from(`%PDF-1.7 uji ${randomBytes(8).toString('hex')}`);
  const sha = createHash('sha256').update(document).digest('hex');
  const row = await db
    .insertInto('agreements')
    .values({
      institutionId,
      number: `000.1/${randomBytes(3).toString('hex')}/UJI/${year}`,
      templateVersion: 'test',
      status: 'in_force',
      termStart: term?.start ?? `${year}-01-01`,
      termEnd: term?.end ?? `${year}-12-31`,
      ceilingCores: ceiling.cores,
      ceilingMemoryMiB: ceiling.memoryMiB,
      ceilingDiskGiB: ceiling.diskGiB,
      ceilingVmCount: ceiling.vmCount,
      ceilingIpCount: ceiling.ipCount,
      verificationCode: randomBytes(8).toString('hex'),
      originalDocument: document,
      originalSha256: sha,
      currentDocument: document,
      currentSha256: sha,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Seeds the catalog: debian-12 / ubuntu-24.04 templates and small / medium / large presets (idempotent). */
export async function makeCatalog(db: Db): Promise<void> {
  await db
    .insertInto('catalogTemplates')
    .values([
      { id: 'debian-12', name: 'Debian 12', osFamily: 'debian', pveTemplateVmid: 9000, sortOrder: 1 },
      { id: 'ubuntu-24.04', name: 'Ubuntu 24.04 LTS', osFamily: 'ubuntu', pveTemplateVmid: 9001, sortOrder: 2 },
    ])
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('sizePresets')
    .values([
      { id: 'small', name: 'Kecil', cores: 1, memoryMiB: 2048, diskGiB: 20, sortOrder: 1 },
      { id: 'medium', name: 'Sedang', cores: 2, memoryMiB: 4096, diskGiB: 40, sortOrder: 2 },
      { id: 'large', name: 'Besar', cores: 4, memoryMiB: 8192, diskGiB: 80, sortOrder: 3 },
    ])
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Creates a shared IPv4 pool 10.<n>.0.0/24 with `size` allocatable addresses from .10. */
export async function makeIpPool(db: Db, options: { size?: number; institutionId?: string | null; octet?: number } = {}): Promise<string> {
  const octet = options.octet ?? 100 + Math.floor(Math.random() * 100);
  const size = options.size ?? 50;
  const row = await db
    .insertInto('ipPools')
    .values({
      name: `pool-${octet}-${randomBytes(2).toString('hex')}`,
      cidr: `10.${octet}.0.0/24`,
      gateway: `10.${octet}.0.1`,
      vlanTag: octet,
      bridge: 'vmbr0',
      rangeStart: `10.${octet}.0.10`,
      rangeEnd: `10.${octet}.0.${9 + size}`,
      institutionId: options.institutionId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
