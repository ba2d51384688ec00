import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_MESSAGES, DEFAULT_BACKUP_POLICY, Role, type BackupPolicy } from '@betang/core';
import { insertApplication, type Db } from '@betang/db';
import { makeInstitution, makeUser } from '@betang/testkit';
import { signInAs, startApiHarness, type ApiHarness, type SignedIn } from '../testing/api-harness';
import { binaryBody } from '../testing/response-bodies';

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'betang-backup-agr-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), pdf);
    const r = spawnSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
    if (r.error) throw r.error;
    return r.stdout.replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const app = (name: string, dataClassification: 'strategis' | 'tinggi' | 'rendah') => ({
  name,
  kind: 'khusus' as const,
  picName: 'Budi',
  picNip: '198001012005011001',
  picEmail: 'budi@kalteng.go.id',
  developerType: 'internal' as const,
  userType: 'public' as const,
  status: 'active' as const,
  dataClassification,
  url: `https://${name.toLowerCase().replace(/\W+/g, '')}.kalteng.go.id`,
});

async function head(db: Db, role: Role, institutionId: string | null, nip: string) {
  const user = await makeUser(db, { roles: [role], institutionId });
  await db
    .updateTable('users')
    .set({ nip, position: role === Role.DcHead ? 'Kepala Dinas Kominfosantik' : 'Kepala Biro' })
    .where('id', '=', user.id)
    .execute();
  return user;
}

jest.setTimeout(60_000);

describe('backup policy: one setting for the scheduler and the agreement article', () => {
  let h: ApiHarness;
  let admin: SignedIn;
  let operator: SignedIn;
  let inst: string;
  let apps: string[];

  beforeAll(async () => {
    h = await startApiHarness();
    const db = h.database.db;
    inst = (await makeInstitution(db)).id;
    apps = [
      (await insertApplication(db, inst, app('Portal Kesehatan', 'tinggi'))).id,
      (await insertApplication(db, inst, app('Profil Dinas', 'rendah'))).id,
    ];
    await head(db, Role.InstitutionHead, inst, '197503122000032004');
    await head(db, Role.DcHead, null, '197108151998031005');
    admin = await signInAs(h.app, (await makeUser(db, { roles: [Role.Admin] })).email);
    operator = await signInAs(h.app, (await makeUser(db, { roles: [Role.Operator] })).email);
  });
  afterAll(() => h.close());

  const put = (who: SignedIn, body: object) =>
    who.agent.put('/api/v1/settings/backup-policy').set('X-CSRF-Token', who.csrfToken).send(body);

  it('answers the default; only admins change it; a bad policy is refused bilingually and nothing is stored', async () => {
    expect((await operator.agent.get('/api/v1/settings/backup-policy')).body).toEqual(DEFAULT_BACKUP_POLICY);
    expect((await put(operator, DEFAULT_BACKUP_POLICY)).status).toBe(403);
    const bad = structuredClone(DEFAULT_BACKUP_POLICY) as unknown as { classes: { tinggi: Record<string, unknown> } };
    bad.classes.tinggi.windowStart = '25:00';
    const empty = structuredClone(DEFAULT_BACKUP_POLICY) as unknown as { classes: { rendah: Record<string, unknown> } };
    empty.classes.rendah.windowEnd = empty.classes.rendah.windowStart;
    for (const language of ['id', 'en'] as const) {
      const refused = await put(admin, bad).set('Accept-Language', language);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([
        { path: 'body.classes.tinggi.windowStart', message: CONTRACT_MESSAGES.clock[language], code: 'invalid_format' },
      ]);
      const emptyRefused = await put(admin, empty).set('Accept-Language', language);
      expect(emptyRefused.status).toBe(400);
      expect(emptyRefused.body.error.details).toEqual([
        expect.objectContaining({ path: 'body.classes.rendah.windowEnd', message: CONTRACT_MESSAGES.emptyWindow[language] }),
      ]);
    }
    expect((await operator.agent.get('/api/v1/settings/backup-policy')).body).toEqual(DEFAULT_BACKUP_POLICY);
  });

  it('the agreement PDF’s backup article prints the configured window and retention of each class it covers', async () => {
    const policy: BackupPolicy = structuredClone(DEFAULT_BACKUP_POLICY);
    policy.classes.tinggi = { windowStart: '22:30', windowEnd: '03:00', keepDaily: 10, keepWeekly: 5, keepMonthly: 3, storage: 'pbs' };
    policy.classes.rendah = { windowStart: '02:00', windowEnd: '04:00', keepDaily: 3, keepWeekly: 0, keepMonthly: 0, storage: 'local' };
    policy.offsiteCopy = false;
    const saved = await put(admin, policy);
    expect(saved.status).toBe(200);
    const created = await operator.agent
      .post('/api/v1/agreements')
      .set('X-CSRF-Token', operator.csrfToken)
      .send({
        institutionId: inst,
        ceiling: { cores: 4, memoryMiB: 8192, diskGiB: 100, vmCount: 2, ipCount: 1 },
        applicationIds: apps,
        osTemplates: ['Debian 12'],
      });
    expect(created.status).toBe(201);
    const pdf = (
      await operator.agent
        .get(`/api/v1/agreements/${created.body.id as string}/document`)
        .buffer(true)
        .parse(binaryBody)
    ).body as Buffer;
    const text = pdfText(pdf);
    const article = text.slice(text.indexOf('CADANGAN DATA DAN PEMULIHAN'), text.indexOf('PENGGUNAAN YANG DIPERBOLEHKAN'));
    expect(article).toContain(
      'VPS Aplikasi berklasifikasi Tinggi dicadangkan setiap hari antara pukul 22.30 dan 03.00 WIB; hasil pencadangan yang disimpan adalah 10 (sepuluh) cadangan harian terakhir, 5 (lima) cadangan mingguan dan 3 (tiga) cadangan bulanan;',
    );
    expect(article).toContain(
      'VPS Aplikasi berklasifikasi Rendah dicadangkan setiap hari antara pukul 02.00 dan 04.00 WIB; hasil pencadangan yang disimpan adalah 3 (tiga) cadangan harian terakhir.',
    );
    // only the classes of the agreement's applications, and no fixed retention in days
    expect(article).not.toContain('Strategis');
    expect(article).not.toContain('14 (empat belas) hari');
    expect(article).toContain('salinan hasil pencadangan di luar lokasi Pusat Data tidak dilaksanakan');
  });
});
