import { Role, ZEmailMessage } from '@betang/core';
import { insertAgreement, type Db } from '@betang/db';
import { createTestDatabase, makeInstitution, makeUser, type TestDatabase, testLogDestination, testLogOptions } from '@betang/testkit';
import { pino } from 'pino';
import { sweepAgreements } from './agreements-sweep.job';

const logger = pino(testLogOptions('agreements-sweep'), testLogDestination('agreements-sweep'));
const ceiling = { cores: 4, memoryMiB: 8192, diskGiB: 100, vmCount: 2, ipCount: 1 };
let counter = 0;

async function agreement(
  db: Db,
  institutionId: string,
  status: 'in_force' | 'awaiting_dc_head',
  termEnd: string,
  creator: string,
): Promise<string> {
  counter++;
  return db.transaction().execute((tx) =>
    insertAgreement(tx, {
      institutionId,
      number: `000.1/${900 + counter}/DISKOMINFOSANTIK/2026`,
      templateVersion: '2026.1',
      status,
      termStart: '2026-01-01',
      termEnd,
      ceiling,
      verificationCode: `SWEEPTEST${String(counter).padStart(7, '2')}`,
      document: Buffer.from('%PDF-1.7 uji'),
      sha256: 'a'.repeat(64),
      documentData: {},
      createdBy: creator,
      applicationIds: [],
    }),
  );
}

/** A moment whose WIB date is `date` (noon WIB). */
const at = (date: string) => new Date(`${date}T05:00:00Z`);

describe('agreements.sweep', () => {
  let database: TestDatabase;
  let db: Db;
  let institutionId: string;
  let creator: string;
  let heads: string[];
  let operatorEmail: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    institutionId = (await makeInstitution(db)).id;
    const other = await makeInstitution(db);
    const operator = await makeUser(db, { roles: [Role.Operator] });
    creator = operator.id;
    operatorEmail = operator.email;
    const head = await makeUser(db, { roles: [Role.InstitutionHead], institutionId });
    const dcHead = await makeUser(db, { roles: [Role.DcHead] });
    await makeUser(db, { roles: [Role.InstitutionHead], institutionId: other.id });
    await makeUser(db, { roles: [Role.InstitutionStaff], institutionId });
    heads = [head.email, dcHead.email].sort();
  });
  afterAll(() => database.drop());

  const outbox = () => db.selectFrom('outbox').select(['dedupKey', 'payload', 'topic']).orderBy('id').execute();

  it('should expire agreements past their term once, with an audit entry', async () => {
    const ended = await agreement(db, institutionId, 'in_force', '2026-03-31', creator);
    const current = await agreement(db, (await makeInstitution(db)).id, 'in_force', '2026-12-31', creator);
    expect(await sweepAgreements(db, logger, at('2026-03-31'))).toMatchObject({ expired: 0 });
    expect(await sweepAgreements(db, logger, at('2026-04-01'))).toMatchObject({ expired: 1 });
    expect(await sweepAgreements(db, logger, at('2026-04-01'))).toMatchObject({ expired: 0 });
    const statuses = await db.selectFrom('agreements').select(['id', 'status']).where('id', 'in', [ended, current]).execute();
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [ended]: 'expired', [current]: 'in_force' });
    const audit = await db.selectFrom('auditLog').select(['action', 'actorUserId']).where('targetId', '=', ended).execute();
    expect(audit).toEqual([{ action: 'agreement.expired', actorUserId: null }]);
  });

  it('should write each 60/30/7-day reminder once, to both heads, and none for pending agreements', async () => {
    await db.deleteFrom('outbox').execute();
    await db.updateTable('agreements').set({ status: 'expired' }).where('status', '=', 'in_force').execute();
    const id = await agreement(db, institutionId, 'in_force', '2026-12-31', creator);
    const pendingInstitution = (await makeInstitution(db)).id;
    await agreement(db, pendingInstitution, 'awaiting_dc_head', '2026-12-31', creator);

    expect(await sweepAgreements(db, logger, at('2026-10-31'))).toMatchObject({ reminders: 0 });
    expect(await sweepAgreements(db, logger, at('2026-11-01'))).toMatchObject({ reminders: 1 });
    expect(await sweepAgreements(db, logger, at('2026-11-02'))).toMatchObject({ reminders: 0 });
    expect(await sweepAgreements(db, logger, at('2026-11-20'))).toMatchObject({ reminders: 0 });
    expect(await sweepAgreements(db, logger, at('2026-12-10'))).toMatchObject({ reminders: 1 });
    expect(await sweepAgreements(db, logger, at('2026-12-29'))).toMatchObject({ reminders: 1 });
    expect(await sweepAgreements(db, logger, at('2026-12-31'))).toMatchObject({ reminders: 0 });

    const rows = await outbox();
    const all = [...new Set(rows.map((r) => ZEmailMessage.parse(r.payload).reason))];
    const reasons = all.filter((r) => !r.endsWith(':renewal'));
    expect(reasons).toEqual([`agreement:${id}:expiring:60`, `agreement:${id}:expiring:30`, `agreement:${id}:expiring:7`]);
    // the operators are told at each threshold to draft the renewal, linked to its action
    expect(all.filter((r) => r.endsWith(':renewal'))).toEqual(reasons.map((r) => `${r}:renewal`));
    const renewalMails = rows.map((r) => ZEmailMessage.parse(r.payload)).filter((m) => m.reason.endsWith(':renewal'));
    expect(renewalMails.flatMap((m) => m.to)).toEqual([operatorEmail, operatorEmail, operatorEmail]);
    for (const m of renewalMails) {
      expect(m.link).toBe(`/agreements/${id}#renewal`);
      expect(m.subject.en).toMatch(/^Draft the renewal of agreement /);
    }
    for (const reason of reasons) {
      // One e-mail per head, each with the link to the agreement (the renewal starts there).
      const messages = rows.map((r) => ZEmailMessage.parse(r.payload)).filter((m) => m.reason === reason);
      expect(messages.flatMap((m) => m.to).sort()).toEqual(heads);
      for (const message of messages) {
        expect(message.subject.id).toMatch(/berakhir dalam \d+ hari/);
        expect(message.text.en).toContain('2026-12-31');
        expect(message.link).toBe(`/agreements/${id}`);
      }
    }
    const inApp = await db
      .selectFrom('notifications')
      .select(['kind', 'reason'])
      .where('reason', 'like', `agreement:${id}:expiring:%`)
      .execute();
    // two heads and one operator, at each of the three thresholds
    expect(inApp).toHaveLength(9);
    expect(new Set(inApp.map((n) => n.kind))).toEqual(new Set(['agreement.expiring']));
  });

  it('should start with the tightest reminder when an agreement is created late', async () => {
    await db.deleteFrom('outbox').execute();
    await db.updateTable('agreements').set({ status: 'expired' }).where('status', '=', 'in_force').execute();
    const id = await agreement(db, institutionId, 'in_force', '2026-12-31', creator);
    await sweepAgreements(db, logger, at('2026-12-20'));
    await sweepAgreements(db, logger, at('2026-12-21'));
    expect(new Set((await outbox()).map((r) => ZEmailMessage.parse(r.payload).reason))).toEqual(
      new Set([`agreement:${id}:expiring:30`, `agreement:${id}:expiring:30:renewal`]),
    );
  });
});
