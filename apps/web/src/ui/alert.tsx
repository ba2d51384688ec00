import type { ReactNode } from 'react';
import { ApiError, CLIENT_ERROR } from '../api/api-error';
import { useI18n } from '../i18n/use-i18n';

/**
 * Live regions: the container is always in the page so screen readers register it before the
 * message arrives (a region inserted together with its text is often not read out).
 */
export function LiveRegion({ kind, children }: { kind: 'error' | 'success'; children?: ReactNode }) {
  return (
    <div
      role={kind === 'error' ? 'alert' : 'status'}
      aria-live={kind === 'error' ? 'assertive' : 'polite'}
      className={children ? `alert alert-${kind}` : 'alert-empty'}
    >
      {children}
    </div>
  );
}

/** The text people should read for a failure: the API's own message, or the client's. */
export function useErrorText(): (error: unknown) => string {
  const { t } = useI18n();
  return (error) => {
    if (error instanceof ApiError) {
      if (error.code === CLIENT_ERROR.Network) return t('error.network');
      if (error.code === CLIENT_ERROR.BadResponse) return t('error.badResponse');
      return error.requestId && error.status >= 500 ? `${error.message} (${t('error.requestId', { id: error.requestId })})` : error.message;
    }
    return t('error.unexpected');
  };
}

/** An announced error box for a failure (nothing when there is none). */
export function ErrorAlert({ error }: { error: unknown }) {
  const text = useErrorText();
  return <LiveRegion kind="error">{error ? text(error) : null}</LiveRegion>;
}

/** A polite status line while data loads. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t('common.loading')}
    </p>
  );
}

/**
 * The announced summary of a form: the API's error, or — when the form's own check found field
 * errors before sending — a line telling people to fix the marked fields.
 */
export function FormAlert({ error, fieldErrors }: { error: unknown; fieldErrors: Record<string, string> }) {
  const text = useErrorText();
  const { t } = useI18n();
  const count = Object.keys(fieldErrors).length;
  const message = error ? text(error) : count > 0 ? t('form.checkFields', { count }) : null;
  return <LiveRegion kind="error">{message}</LiveRegion>;
}
