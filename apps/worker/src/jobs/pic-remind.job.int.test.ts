import { Role } from '@betang/core';
import { type Db } from '@betang/db';
import { createTestDatabase, makeCatalog, makeInstitution, makeRunningVm, makeUser, type TestDatabase } from '@betang/testkit';
import { remindMissingPics } from './pic-remind.job';

jest.setTimeout(60_000);

describe('pic.remind', () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    await makeCatalog(db);
  });
  afterAll(() => database.drop());

  const reminders = (userId: string) =>
    db
      .selectFrom('notifications')
      .select('reason')
      .where('userId', '=', userId)
      .where('reason', 'like', 'pic:reminder:%')
      .orderBy('id')
      .execute();

  it('reminds the head and the operators once a week while a VM needs a PIC, and stops once one is named', async () => {
    const institution = await makeInstitution(db);
    const head = await makeUser(db, { roles: [Role.InstitutionHead], institutionId: institution.id });
    const pic = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const successor = await makeUser(db, { roles: [Role.InstitutionStaff], institutionId: institution.id });
    const operator = await makeUser(db, { roles: [Role.Operator] });
    const vm = await makeRunningVm(db, { institutionId: institution.id, requestedBy: pic.id, picUserId: pic.id });
    // A VM of another institution whose PIC qualifies is never the subject of a reminder.
    const calm = await makeInstitution(db);
    const calmHead = await makeUser(db, { roles: [Role.InstitutionHead], institutionId: calm.id });
    await makeRunningVm(db, { institutionId: calm.id, requestedBy: calmHead.id, picUserId: calmHead.id });

    const monday = new Date('2026-12-07T03:00:00Z');
    expect(await remindMissingPics(db, monday)).toEqual({ institutions: 0, reminders: 0 });

    await db.updateTable('users').set({ isActive: false }).where('id', '=', pic.id).execute();
    const first = await remindMissingPics(db, monday);
    expect(first.institutions).toBe(1);
    expect(await reminders(head.id)).toEqual([{ reason: `pic:reminder:${institution.id}:2026-12-07` }]);
    expect((await reminders(operator.id)).map((r) => r.reason)).toContain(`pic:reminder:${institution.id}:2026-12-07`);

    // Twice the same week (later that week): nothing more.
    await remindMissingPics(db, monday);
    await remindMissingPics(db, new Date('2026-12-12T10:00:00Z'));
    expect(await reminders(head.id)).toHaveLength(1);

    // The next week: again.
    await remindMissingPics(db, new Date('2026-12-14T03:00:00Z'));
    expect((await reminders(head.id)).map((r) => r.reason)).toEqual([
      `pic:reminder:${institution.id}:2026-12-07`,
      `pic:reminder:${institution.id}:2026-12-14`,
    ]);

    // Someone is named: the week after, no reminder.
    await db.updateTable('vms').set({ picUserId: successor.id }).where('id', '=', vm.vmId).execute();
    await remindMissingPics(db, new Date('2026-12-21T03:00:00Z'));
    expect(await reminders(head.id)).toHaveLength(2);
    expect(await reminders(calmHead.id)).toEqual([]);
  });
});
