import { createContext, useContext, type ReactNode } from 'react';
import { useI18n } from '../i18n/use-i18n';
import { ErrorAlert, LiveRegion, Loading } from './alert';

const HeadingIdContext = createContext<string | undefined>(undefined);

/** Id of the h2 of the enclosing ListSection (undefined outside one): what its table is labelled by. */
export function useListHeadingId(): string | undefined {
  return useContext(HeadingIdContext);
}

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
  /** When given, a "load more" button after the content calls it (pass it only while a next page exists). */
  onMore?(): void;
  children?: ReactNode;
};

/**
 * A card section holding one list: `section.card` labelled by its h2, then (optional) the notice
 * region, the loading line and the error region, then the caller's content (table, buttons; a DataTable inside is labelled by the h2) and,
 * with `onMore`, the "load more" button.
 */
export function ListSection({ headingId, title, loading, error, notice, busy, onMore, children }: Props) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby={headingId} aria-busy={busy}>
      <h2 id={headingId}>{title}</h2>
      {notice !== undefined ? <LiveRegion kind="success">{notice}</LiveRegion> : null}
      {loading ? <Loading /> : null}
      <ErrorAlert error={error} />
      <HeadingIdContext value={headingId}>{children}</HeadingIdContext>
      {onMore ? (
        <button type="button" className="button" onClick={onMore}>
          {t('common.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
