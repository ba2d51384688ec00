/**
 * Betang's ownership marker on a VM it did not build: the same tags and description line that
 * provisioning writes (vm-spec.ts: `betang`, the run tag, the institution tag; the marker line
 * `betang-run=<run id>`), added to what people already wrote there and removed again on release,
 * leaving their own tags and notes as they were.
 */

const OWNER_TAG = 'betang';
const isBetangTag = (t: string): boolean => t === OWNER_TAG || t.startsWith('betang-run-') || t.startsWith('betang-inst-');
const isMarkerLine = (line: string): boolean => line.startsWith('betang-run=');

type Marked = { tags: string[]; description: string };

/** Tags and description carrying the marker of run `runId` for the institution `code`. Applying it twice gives the same result. */
export function withOwnerMarker(
  before: { tags: readonly string[]; description?: string | undefined },
  runId: string,
  code: string,
): Marked {
  const own = before.tags.filter((t) => !isBetangTag(t));
  const tags = [...own, OWNER_TAG, `betang-run-${runId}`, `betang-inst-${code.toLowerCase()}`];
  const lines = (before.description ?? '').split('\n').filter((l) => !isMarkerLine(l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return { tags, description: [...lines, `betang-run=${runId}`].join('\n') };
}

/** Tags and description without any Betang marker (what the VM had before adoption). */
export function withoutOwnerMarker(before: { tags: readonly string[]; description?: string | undefined }): Marked {
  const lines = (before.description ?? '').split('\n').filter((l) => !isMarkerLine(l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return { tags: before.tags.filter((t) => !isBetangTag(t)), description: lines.join('\n') };
}
