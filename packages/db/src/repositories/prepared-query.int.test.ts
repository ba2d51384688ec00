import { createTestDatabase, makeInstitution, type TestDatabase } from '@betang/testkit';
import type { Executor } from '../database';
import { preparedQuery } from './prepared-query';

describe('preparedQuery (hot-path queries compiled once per executor)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  const byCode = preparedQuery(2, (db: Executor, code: string, name: string) =>
    db.selectFrom('institutions').select(['id', 'code', 'createdAt']).where('code', '=', code).where('name', '<>', name),
  );

  it('should run with each call’s own values and map results like the builder (camelCase, Date)', async () => {
    const a = await makeInstitution(t.db);
    const b = await makeInstitution(t.db);
    const viaBuilder = (code: string) =>
      t.db.selectFrom('institutions').select(['id', 'code', 'createdAt']).where('code', '=', code).execute();
    expect(await byCode(t.db, a.code, 'x')).toEqual(await viaBuilder(a.code));
    expect(await byCode(t.db, b.code, 'x')).toEqual(await viaBuilder(b.code));
    expect((await byCode(t.db, b.code, 'x'))[0]!.createdAt).toBeInstanceOf(Date);
    expect(await byCode(t.db, a.code, a.name)).toEqual([]);
    // Hostile values stay values.
    expect(await byCode(t.db, "' OR 1=1 --", 'x')).toEqual([]);
    expect(await byCode(t.db, 'betang-slot:0', 'x')).toEqual([]);
  });

  it('should work on transactions and other executors too (each compiles its own)', async () => {
    const a = await makeInstitution(t.db);
    await t.db.transaction().execute(async (tx) => {
      expect((await byCode(tx, a.code, 'x')).map((r) => r.id)).toEqual([a.id]);
    });
    const other = t.db.withPlugin({ transformQuery: (args) => args.node, transformResult: async (args) => args.result });
    expect((await byCode(other, a.code, 'x')).map((r) => r.id)).toEqual([a.id]);
  });

  it('should refuse a build that drops or repeats a placeholder', async () => {
    const drops = preparedQuery(1, (db: Executor, _code: string) => db.selectFrom('institutions').select('id').where('code', '=', 'fixed'));
    await expect(drops(t.db, 'x')).rejects.toThrow(/exactly once/);
    const repeats = preparedQuery(1, (db: Executor, code: string) =>
      db.selectFrom('institutions').select('id').where('code', '=', code).where('name', '=', code),
    );
    await expect(repeats(t.db, 'x')).rejects.toThrow(/exactly once/);
  });
});
