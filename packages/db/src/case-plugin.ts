import { CamelCasePlugin } from 'kysely';

/**
 * SQL's snake_case ↔ TypeScript's camelCase, with the size units spelt as everywhere else in the
 * code and the HTTP contracts: `memory_mib` ↔ `memoryMiB`, `disk_gib` ↔ `diskGiB`
 * (kysely's plain mapping would give `memoryMiB`). The mapping is reversible, so queries written
 * with `memoryMiB` reach `memory_mib`.
 */
export class BetangCasePlugin extends CamelCasePlugin {
  protected override camelCase(str: string): string {
    return camelUnits(super.camelCase(str));
  }

  protected override snakeCase(str: string): string {
    return super.snakeCase(str.replace(/MiB$/, 'Mib').replace(/GiB$/, 'Gib'));
  }
}

/** `memoryMiB` → `memoryMiB`, `diskGiB` → `diskGiB`: the generated column types use it too. */
export function camelUnits(name: string): string {
  return name.replace(/Mib$/, 'MiB').replace(/Gib$/, 'GiB');
}
