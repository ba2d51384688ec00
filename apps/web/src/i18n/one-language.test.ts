import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bilingualDetail, joinStepDetails, stepDetailIn } from '@betang/core';

const load = (name: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(__dirname, name), 'utf8')) as Record<string, string>;
const catalogues = { id: load('id.json'), en: load('en.json') };

/**
 * Words Indonesian screens must not use: English that leaked before (mixed sentences, internal
 * codes) and the terms the glossary in docs/web.md replaces (instansi → perangkat daerah, RAM →
 * memori). Matched as whole words, case-insensitive unless upper-case (RAM, OPD).
 */
const REFUSED_IN_ID = [
  'cleanup',
  'shutdown',
  'started',
  'undone',
  'already',
  'failed',
  'pending',
  'run ini',
  'RAM',
  'storage',
  'template',
  'the',
  'please',
  'institution',
  'user',
];
/** Indonesian words that would show in English screens (the reverse leak). */
const INDONESIAN_IN_EN = [
  'dan',
  'atau',
  'yang',
  'tidak',
  'sudah',
  'untuk',
  'dengan',
  'ini',
  'memori',
  'penyimpanan',
  'perangkat daerah',
  'instansi',
  'gagal',
];
/** Two languages joined by a slash: "di/on", "sudah/already", "tambahkan/add". */
const MIXED = /\b(di|pada|sudah|aktif|diubah|ke|tambahkan|diadopsi)\/(on|already|active|changed|to|add|adopted)\b/i;
/** Internal codes a person must not read: audit actions (vm.shut_down) and runbook paths. */
const CODES = /\b[a-z]+\.[a-z]+_[a-z_]+\b|docs\/[a-z-]+\.md/;

function leaks(catalogue: Record<string, string>, words: readonly string[]): string[] {
  const found: string[] = [];
  for (const [key, text] of Object.entries(catalogue)) {
    // ICU arguments ({name}) and plural/select keywords are not words on screen.
    const shown = text.replace(/\{[a-zA-Z]+(, (plural|select)[^{]*)?/g, ' ').replace(/\b(one|other|string|array|set)\b \{/g, '{');
    for (const word of words) {
      const pattern = new RegExp(
        `(?<![\\w-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`,
        word === word.toUpperCase() ? '' : 'i',
      );
      if (pattern.test(shown)) found.push(`${key}: "${word}"`);
    }
    if (MIXED.test(shown)) found.push(`${key}: two languages`);
    if (CODES.test(shown)) found.push(`${key}: internal code`);
  }
  return found;
}

describe('one language per screen', () => {
  it('should keep English words out of the Indonesian catalogue', () => {
    expect(leaks(catalogues.id, REFUSED_IN_ID)).toEqual([]);
  });

  it('should keep Indonesian words out of the English catalogue', () => {
    expect(leaks(catalogues.en, INDONESIAN_IN_EN)).toEqual([]);
  });

  it('should find a leak when there is one (the scan itself works)', () => {
    expect(
      leaks({ a: 'VM dinyalakan / started', b: 'Dibatalkan oleh cleanup', c: 'Aksi vm.shut_down', d: 'VM di/on pve1' }, REFUSED_IN_ID),
    ).toEqual(['a: "started"', 'b: "cleanup"', 'c: internal code', 'd: two languages']);
    expect(leaks({ a: 'Memory and disk' }, INDONESIAN_IN_EN)).toEqual([]);
    expect(leaks({ a: 'Memori dan disk' }, INDONESIAN_IN_EN)).toEqual(['a: "dan"', 'a: "memori"']);
  });
});

describe('step notes', () => {
  it('should be read in one language, and older plain notes as written', () => {
    const note = bilingualDetail({ id: 'VM 101 di pve1', en: 'VM 101 on pve1' });
    expect(stepDetailIn(note, 'id')).toBe('VM 101 di pve1');
    expect(stepDetailIn(note, 'en')).toBe('VM 101 on pve1');
    expect(stepDetailIn('VMID 101, IP 10.0.0.5', 'en')).toBe('VMID 101, IP 10.0.0.5');
    expect(stepDetailIn('{not json', 'id')).toBe('{not json');
    expect(stepDetailIn('{"id": 1}', 'id')).toBe('{"id": 1}');
    const joined = joinStepDetails([note, 'VMID 101', bilingualDetail({ id: 'dilepas', en: 'released' })]);
    expect(stepDetailIn(joined, 'en')).toBe('VM 101 on pve1; VMID 101; released');
    expect(stepDetailIn(joined, 'id')).toBe('VM 101 di pve1; VMID 101; dilepas');
  });
});
