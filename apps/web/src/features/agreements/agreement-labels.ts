import type { AgreementStatus } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';
import type { StatusTone } from '../../ui/status-badge';

/** Catalogue key and tone of each agreement status. */
export const AGREEMENT_STATUS: Record<AgreementStatus, { key: MessageKey; tone: StatusTone }> = {
  draft: { key: 'agreements.status.draft', tone: 'idle' },
  awaiting_institution_head: { key: 'agreements.status.awaiting_institution_head', tone: 'busy' },
  awaiting_dc_head: { key: 'agreements.status.awaiting_dc_head', tone: 'busy' },
  in_force: { key: 'agreements.status.in_force', tone: 'good' },
  expired: { key: 'agreements.status.expired', tone: 'bad' },
  revoked: { key: 'agreements.status.revoked', tone: 'bad' },
};

/** Catalogue key of a signer role on an agreement. */
export const SIGNER_ROLE: Record<'institution_head' | 'dc_head' | 'external', MessageKey> = {
  institution_head: 'agreements.signer.institution_head',
  dc_head: 'agreements.signer.dc_head',
  external: 'agreements.signer.external',
};
