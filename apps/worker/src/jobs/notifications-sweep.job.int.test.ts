import { Role } from '@betang/core';
import type { Db } from '@betang/db';
import {
  createTestDatabase,
  makeApplication,
  makeCatalog,
  makeInstitution,
  makeUser,
  testSshKey,
  type TestDatabase,
} from '@betang/testkit';
import { sweepOverdueApprovals } from './notifications-sweep.job';

describe('notifications.sweep', () => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    await makeCatalog(db);
  });
  afterAll(() => database.drop());

  async function request(status: 'submitted' | 'rejected', createdAt: Date, hostname: string): Promise<string> {
    const institution = await makeInstitution(db);
    const staff = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const row = await db
      .insertInto('vpsRequests')
      .values({
        institutionId: institution.id,
        applicationId: await makeApplication(db, institution.id),
        requestedBy: staff.id,
        hostname,
        templateId: 'debian-12',
        cores: 1,
        memoryMiB: 2048,
        diskGiB: 20,
        sshPublicKeys: [testSshKey()],
        purpose: 'Uji standar layanan',
        publicAccess: false,
        ports: [],
        contact: JSON.stringify({ name: 'Budi', nip: '198501012010011001', phone: '0811', email: 'pic@uji.kalteng.go.id' }),
        status,
        createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  it('should tell every operator once about a request waiting past the service standard, and nobody about others', async () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const operatorA = await makeUser(db, { roles: [Role.Operator] });
    const operatorB = await makeUser(db, { roles: [Role.Operator] });
    const late = await request('submitted', new Date('2026-12-06T10:00:00Z'), 'telat-01');
    const fresh = await request('submitted', new Date('2026-12-07T10:00:00Z'), 'baru-01');
    const decided = await request('rejected', new Date('2026-12-01T10:00:00Z'), 'selesai-01');

    expect(await sweepOverdueApprovals(db, now)).toEqual({ overdue: 1 });
    expect(await sweepOverdueApprovals(db, now)).toEqual({ overdue: 0 });
    const rows = await db.selectFrom('notifications').select(['userId', 'reason', 'title', 'link']).orderBy('userId').execute();
    expect(rows.map((r) => r.reason)).toEqual([`vps_request:${late}:approval_overdue`, `vps_request:${late}:approval_overdue`]);
    expect(rows.map((r) => r.userId).sort()).toEqual([operatorA.id, operatorB.id].sort());
    expect(rows[0]!.link).toBe(`/vps-requests/${late}`);
    expect(JSON.stringify(rows[0]!.title)).toContain('telat-01');
    expect(JSON.stringify(rows)).not.toContain(fresh);
    expect(JSON.stringify(rows)).not.toContain(decided);
  });
});
