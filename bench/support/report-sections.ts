/*
 * docs/benchmarks.md is written by several runs (`npm run bench`, `-- find`, `-- ansible`, …),
 * each owning one marked section. These pure functions let each run replace its own section and
 * keep every other one, and let a partial run keep the figures of the scenarios it did not run.
 */
import type { BenchResults } from '../run';

/** The markers around section `name` (the find section keeps the markers it always had). */
export function sectionMarkers(name: string): { start: string; end: string } {
  if (name === 'find') return { start: '<!-- find-bench:start -->', end: '<!-- find-bench:end -->' };
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

const ANY_SECTION = /<!-- (?:bench:([a-z0-9-]+):start|(find)-bench:start) -->/g;

/** Every marked section of `markdown`, markers included, by name, in the order found. */
export function sectionsOf(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of markdown.matchAll(ANY_SECTION)) {
    const name = match[1] ?? match[2]!;
    const { end } = sectionMarkers(name);
    const at = match.index;
    const stop = markdown.indexOf(end, at);
    if (stop > at && !found.has(name)) found.set(name, markdown.slice(at, stop + end.length));
  }
  return found;
}

/** `markdown` with section `name` replaced by `section` (markers included), or with it appended when absent. */
export function withSection(markdown: string, name: string, section: string): string {
  const { start, end } = sectionMarkers(name);
  const from = markdown.indexOf(start);
  const to = from >= 0 ? markdown.indexOf(end, from) : -1;
  if (from >= 0 && to > from) return `${markdown.slice(0, from)}${section}${markdown.slice(to + end.length)}`;
  return `${markdown.trimEnd()}\n\n${section}\n`;
}

/**
 * The freshly rendered page `next` with every section of `previous` it lacks added back (its own
 * sections win): a run never drops what another run measured.
 */
export function keepSections(previous: string, next: string): string {
  let page = next;
  const present = sectionsOf(next);
  for (const [name, section] of sectionsOf(previous)) if (!present.has(name)) page = withSection(page, name, section);
  return page;
}

const SCENARIOS = ['realistic', 'instant', 'api'] as const;
type Scenario = (typeof SCENARIOS)[number];

function take<K extends Scenario>(scenario: K, previous: BenchResults | undefined, fresh: BenchResults, merged: BenchResults): void {
  const measuredAt = (merged.measuredAt ??= {});
  if (fresh[scenario]) {
    merged[scenario] = fresh[scenario];
    measuredAt[scenario] = fresh.at;
  } else if (previous?.[scenario]) {
    merged[scenario] = previous[scenario];
    measuredAt[scenario] = previous.measuredAt?.[scenario] ?? previous.at;
  }
}

/**
 * The results to show: this run's scenarios, and for each scenario it did not run
 * (BENCH_ONLY), the previous results' figures with the time they were measured (`measuredAt`).
 */
export function mergeResults(previous: BenchResults | undefined, fresh: BenchResults): BenchResults {
  const merged: BenchResults = { ...fresh, measuredAt: {} };
  for (const scenario of SCENARIOS) take(scenario, previous, fresh, merged);
  return merged;
}
