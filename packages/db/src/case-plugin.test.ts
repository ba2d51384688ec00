import { Kysely, PostgresDialect } from 'kysely';
import { BetangCasePlugin, camelUnits } from './case-plugin';

type Row = { memoryMiB: number; diskGiB: number; requestId: string };

describe('BetangCasePlugin', () => {
  // Compiling needs no connection: the dialect is only asked for its query compiler.
  const db = new Kysely<{ vms: Row }>({ dialect: new PostgresDialect({ pool: {} as never }), plugins: [new BetangCasePlugin()] });

  it('writes the size units to the SQL columns memory_mib and disk_gib', () => {
    const { sql } = db.selectFrom('vms').select(['memoryMiB', 'diskGiB', 'requestId']).where('memoryMiB', '>', 1024).compile();
    expect(sql).toBe('select "memory_mib", "disk_gib", "request_id" from "vms" where "memory_mib" > $1');
  });

  it('names the columns back as the code spells them', () => {
    expect(camelUnits('memoryMiB')).toBe('memoryMiB');
    expect(camelUnits('ceilingDiskGiB')).toBe('ceilingDiskGiB');
    expect(camelUnits('requestId')).toBe('requestId');
  });
});
