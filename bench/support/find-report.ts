import type { FindFigures } from '../find-bench';

import { sectionMarkers, withSection } from './report-sections';

/** Markers around the find benchmark's section of docs/benchmarks.md (each run replaces what is between them). */
export const FIND_SECTION_START = sectionMarkers('find').start;
export const FIND_SECTION_END = sectionMarkers('find').end;

/** The find benchmark's section of docs/benchmarks.md, markers included. */
export function renderFindSection(result: {
  at: string;
  machine: { cpus: number; node: string; loadAvg: number[] };
  find: FindFigures;
}): string {
  const f = result.find;
  const rows = f.queries.map(
    (q) =>
      `| ${q.name} | \`${q.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>').replace(/cursor=[^&]+/, 'cursor=…')}\` | ${q.items} | ${q.p50Ms} | ${q.p95Ms} | ${q.p99Ms} |`,
  );
  return [
    FIND_SECTION_START,
    '## Cari dan saring / Find anything',
    '',
    `*Ringkas (ID):* daftar VM, permintaan, dan log audit yang disaring dan dipaginasi, diukur lewat API HTTP (dalam proses yang sama) terhadap basis data PostgreSQL sementara berisi ${f.vms.toLocaleString('id-ID')} VM dan ${f.auditEntries.toLocaleString('id-ID')} entri audit. Angka dalam milidetik, per panggilan berurutan.`,
    '',
    `Measured ${result.at} on ${result.machine.cpus} CPUs, Node ${result.machine.node} (load ${result.machine.loadAvg.map((l) => l.toFixed(2)).join(' / ')}; the machine is shared, so the tail carries other people's work). A scratch database, migrated from scratch, held ${f.vms} VMs (each with its request, run and address, ${f.institutions} institutions, 4 nodes) and ${f.auditEntries} audit entries (seeded in ${f.seedSeconds} s). Each query went through the HTTP API in-process (the real app with \`NODE_ENV=production\`, a signed-in operator's session cookie), ${f.queries[0]?.rounds ?? 0} sequential calls after 3 warm-up calls; the time is the whole round trip. Run it again with \`npm run bench -- find\` (bench/find-bench.ts).`,
    '',
    '| query | path | rows | p50 ms | p95 ms | p99 ms |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    FIND_SECTION_END,
  ].join('\n');
}

/** `markdown` with its find section replaced by `section` (appended when it has none). */
export function withFindSection(markdown: string, section: string): string {
  return withSection(markdown, 'find', section);
}
