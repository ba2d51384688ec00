import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('form schemas live where the untranslated-message test walks them', () => {
  it('should find no zod schema built inside a component file (.tsx)', () => {
    const offenders = sources(SRC)
      .filter((file) => file.endsWith('.tsx'))
      .filter((file) => /\bz\s*\.\s*(object|strictObject|looseObject|string|number|array|enum|union)\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    // Put a form's own schema in forms/form-schemas.ts, or use a contract from @betang/core.
    expect(offenders).toEqual([]);
  });
});
