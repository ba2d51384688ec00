/** One object written in an incremental update (new, or a new version of an existing one). */
export type UpdateObject = { num: number; gen: number; body: string };

type UpdateTrailer = { size: number; root: string; info?: string; id?: string; prev: number };

/**
 * Appends a classic incremental update (PDF 32000-1 §7.5.6) after `base`: the objects, an
 * xref section with one subsection per run of consecutive object numbers (20-byte entries),
 * a trailer with /Prev and /Size, `startxref` and `%%EOF`. `base` is copied unchanged, so
 * every earlier revision (and its signatures) stays a byte prefix of the result.
 */
export function appendIncrementalUpdate(base: Buffer, objects: UpdateObject[], trailer: UpdateTrailer): Buffer {
  const separator = base[base.length - 1] === 0x0a ? '' : '\n';
  const parts: string[] = [separator];
  let offset = base.length + separator.length;
  const offsets = new Map<number, { offset: number; gen: number }>();
  for (const o of [...objects].sort((a, b) => a.num - b.num)) {
    const text = `${o.num} ${o.gen} obj\n${o.body}\nendobj\n`;
    offsets.set(o.num, { offset, gen: o.gen });
    parts.push(text);
    offset += Buffer.byteLength(text, 'latin1');
  }
  const xrefOffset = offset;
  parts.push('xref\n');
  for (const run of consecutiveRuns([...offsets].map(([num, e]) => ({ num, ...e })))) {
    parts.push(`${run[0].num} ${run.length}\n`);
    for (const e of run) parts.push(`${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n \n`);
  }
  const entries = [`/Size ${trailer.size}`, `/Root ${trailer.root}`];
  if (trailer.info) entries.push(`/Info ${trailer.info}`);
  if (trailer.id) entries.push(`/ID ${trailer.id}`);
  entries.push(`/Prev ${trailer.prev}`);
  parts.push(`trailer\n<<\n${entries.join('\n')}\n>>\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.concat([base, Buffer.from(parts.join(''), 'latin1')]);
}

/** Entries sorted by object number and split into runs of consecutive numbers (one xref subsection each). */
function consecutiveRuns<T extends { num: number }>(entries: T[]): [T, ...T[]][] {
  const runs: [T, ...T[]][] = [];
  for (const entry of [...entries].sort((a, b) => a.num - b.num)) {
    const run = runs.at(-1);
    if (run && run.at(-1)?.num === entry.num - 1) run.push(entry);
    else runs.push([entry]);
  }
  return runs;
}
