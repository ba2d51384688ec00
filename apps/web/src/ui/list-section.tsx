import type { ReactNode } from 'react';
import { ErrorAlert, LiveRegion, Loading } from './alert';

type Props = {
  /** Id of the section's h2 (the section and, usually, its table are labelled by it). */
  headingId: string;
  title: string;
  /** Shows the polite "loading" line (pass `loading && !data`: a reload keeps the old rows). */
  loading: boolean;
  /** A failure to announce in the section's error region (always present, empty without one). */
  error: unknown;
  /** When given (even null), a polite success region sits under the heading for notices. */
  notice?: string | null;
  /** Marks the section `aria-busy` (e.g. while a new filter loads). */
  busy?: boolean;
  children?: ReactNode;
};

/**
 * A card section holding one list: `section.card` labelled by its h2, then (optional) the notice
 * region, the loading line and the error region, then the caller's content (table, buttons).
 */
export function ListSection({ headingId, title, loading, error, notice, busy, children }: Props) {
  return (
    <section className="card" aria-labelledby={headingId} aria-busy={busy}>
      <h2 id={headingId}>{title}</h2>
      {notice !== undefined ? <LiveRegion kind="success">{notice}</LiveRegion> : null}
      {loading ? <Loading /> : null}
      <ErrorAlert error={error} />
      {children}
    </section>
  );
}
