import type { PublicEndpointDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';

type Props = {
  /** The VM's endpoint; null/undefined while it holds none. */
  endpoint: PublicEndpointDto | null | undefined;
  /** The request asked for internet access (shows "given when ready" before the endpoint exists). */
  requested: boolean;
};

/**
 * The "Internet access" entry of a facts list (a `<dt>` and its `<dd>`): the public address, the
 * declared ports that answered the worker's last probe and those that did not, and when it
 * probed. Nothing for a VM that neither holds nor asked for an endpoint.
 */
export function PublicEndpointFacts({ endpoint, requested }: Props) {
  const { t, dateTime } = useI18n();
  if (!endpoint && !requested) return null;
  const list = (ports: number[]) => (ports.length > 0 ? ports.join(', ') : t('internet.none'));
  const open = endpoint?.openPorts ?? null;
  return (
    <>
      <dt>{t('internet.endpointTitle')}</dt>
      <dd data-testid="public-endpoint">
        {endpoint ? (
          <>
            <span className="block">
              {t('internet.publicAddress')}: <code>{endpoint.publicAddress}</code>
            </span>
            {open === null || endpoint.probedAt === null ? (
              <span className="block muted">{t('internet.notProbed')}</span>
            ) : (
              <>
                <span className="block" data-testid="open-ports">
                  {t('internet.openPorts')}: {list(open)}
                </span>
                <span className="block" data-testid="closed-ports">
                  {t('internet.closedPorts')}: {list(endpoint.ports.filter((p) => !open.includes(p)))}
                </span>
                <span className="block muted small">{t('internet.probedAt', { at: dateTime(endpoint.probedAt) })}</span>
              </>
            )}
          </>
        ) : (
          <span className="muted">{t('internet.pending')}</span>
        )}
      </dd>
    </>
  );
}
