import './portal.css';

/** Tone of a status: good (active, in force), busy (in progress), bad (failed, rejected), idle. */
export type StatusTone = 'good' | 'busy' | 'bad' | 'idle';

/** A status word in a coloured pill; the text carries the meaning, the colour only repeats it. */
export function StatusBadge({ tone, children }: { tone: StatusTone; children: string }) {
  return <span className={`status status-${tone}`}>{children}</span>;
}
