import { AppError, ErrorCode } from '@betang/core';
import type { AppDeps } from '../../deps';

/** How the office gives VMs a public endpoint; `null` = it has not configured one, so internet access is not offered. */
export type InternetAccessMechanism = 'nat' | null;

/** The mechanism the API's settings name (PUBLIC_NAT_ADDRESSES: 1:1 NAT from a public pool), or null. */
export function internetAccessMechanism(config: AppDeps['config']): InternetAccessMechanism {
  return config.PUBLIC_NAT_ADDRESSES && config.PUBLIC_NAT_ADDRESSES.length > 0 ? 'nat' : null;
}

/**
 * Refuses a request for internet access when the office offers none: nothing could deliver it,
 * and a VM promised as reachable would silently stay internal. The error names the field, so the
 * form shows it there.
 */
export function assertInternetAccessOffered(publicAccess: boolean, mechanism: InternetAccessMechanism): void {
  if (!publicAccess || mechanism !== null) return;
  throw new AppError(
    ErrorCode.ValidationFailed,
    {
      id: 'Akses dari internet belum disediakan oleh Diskominfosantik. Ajukan tanpa akses internet, atau hubungi operator.',
      en: 'Access from the internet is not offered by the data center yet. Submit without internet access, or contact the operators.',
    },
    [
      {
        path: 'body.network.publicAccess',
        message: {
          id: 'Akses dari internet belum disediakan oleh Diskominfosantik',
          en: 'Access from the internet is not offered by the data center',
        },
        code: 'not_offered',
      },
    ],
  );
}
