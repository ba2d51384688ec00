import type { VpsRequestDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { LiveRegion } from '../../ui/alert';
import { CopyButton } from '../../ui/copy-button';

/** Request statuses in which the VM exists and keeps its address: the way in stays on screen, stopped or not. */
export const CONNECTABLE: readonly VpsRequestDto['status'][] = ['active', 'stopped', 'expiring'];

function CopyRow({ text, label }: { text: string; label: string }) {
  return (
    <span className="copy-row">
      <code>{text}</code>
      <CopyButton text={text} label={label} />
    </span>
  );
}

/**
 * How to reach the VM: address, admin user, the ssh command and the host key's fingerprint
 * (compare it with what `ssh` prints on the first connection), each with a copy button. Shown
 * while the VM is running or stopped; a stopped VM says it must be started first.
 */
export function ConnectPanel({ request, address }: { request: VpsRequestDto; address: string }) {
  const { t } = useI18n();
  const command = `ssh ${request.adminUser}@${address}`;
  const fingerprint = request.vm?.hostKeyFingerprint ?? null;
  const stopped = request.status === 'stopped' || request.vm?.state === 'stopped';
  return (
    <section className="card" aria-labelledby="connect-title" data-testid="connect">
      <h2 id="connect-title">{t('requests.connectTitle')}</h2>
      {stopped ? (
        <p className="hint" role="status" data-testid="connect-stopped">
          {t('vmLive.stoppedNotice')}
        </p>
      ) : (
        <LiveRegion kind="success">{t('requests.activeNotice', { address })}</LiveRegion>
      )}
      <dl className="facts">
        <dt>{t('requests.address')}</dt>
        <dd>
          <CopyRow text={address} label={t('vmLive.copyAddress')} />
        </dd>
        <dt>{t('requests.adminUser')}</dt>
        <dd>
          <code>{request.adminUser}</code>
        </dd>
        <dt>{t('requests.connectCommand')}</dt>
        <dd>
          <CopyRow text={command} label={t('vmLive.copyCommand')} />
        </dd>
        <dt>{t('vmLive.fingerprint')}</dt>
        <dd data-testid="host-key-fingerprint">
          {fingerprint ? <CopyRow text={fingerprint} label={t('vmLive.copyFingerprint')} /> : '—'}
          <span className="block muted small">{t('vmLive.fingerprintHint')}</span>
        </dd>
      </dl>
      <p className="hint">{t('requests.connectHint')}</p>
    </section>
  );
}
