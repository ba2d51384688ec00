import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type PdfsigReport = { validations: string[]; syntaxLines: string[]; output: string };

/**
 * Runs poppler's `pdfsig` (apt package poppler-utils) on the bytes and returns each
 * signature's "Signature Validation" text plus every "Syntax Error/Warning" line from stdout
 * and stderr. Test helper; throws when pdfsig is not installed.
 */
export function runPdfsig(pdf: Buffer): PdfsigReport {
  const dir = mkdtempSync(join(tmpdir(), 'betang-pdfsig-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync('pdfsig', [file], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw new Error(`pdfsig failed (${r.error.message}); install poppler-utils`);
    const output = `${r.stdout}\n${r.stderr}`;
    return {
      validations: [...r.stdout.matchAll(/Signature Validation: (.+)/g)].map((m) => (m[1] ?? '').trim()),
      syntaxLines: output.split('\n').filter((l) => /Syntax (Error|Warning)/i.test(l)),
      output,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
