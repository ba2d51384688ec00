import { Role, ZReplaceSshKeysBody, type VmDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { replaceVmSshKeys } from '../../api/vms.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { Link } from '../../ui/link';
import { useContractForm } from '../../ui/use-contract-form';
import { SshKeysField } from '../requests/ssh-keys-field';

type KeysValues = { sshPublicKeys: string[]; password: string; totp: string };
const EMPTY: KeysValues = { sshPublicKeys: [''], password: '', totp: '' };
/** Who may replace keys: the owning institution's people and the data center's operators (never auditors). */
const MAY_REPLACE = [Role.InstitutionHead, Role.InstitutionStaff, Role.Operator, Role.Admin];

/**
 * "Ganti kunci SSH": a lost key or a locked-out admin. The new keys replace all of the admin
 * user's current ones through the guest agent (no network path needed), after the password (and
 * TOTP code when enrolled) is asked again. Keys are checked as in the request form (no options).
 * Only while the VM runs: the agent lives inside it.
 */
export function VmKeys({ vm, onQueued }: { vm: VmDto; onQueued(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [queued, setQueued] = useState(false);
  const form = useContractForm<KeysValues, typeof ZReplaceSshKeysBody>({
    schema: ZReplaceSshKeysBody,
    defaultValues: EMPTY,
    toBody: (v) => ({
      sshPublicKeys: v.sshPublicKeys.map((k) => k.trim()).filter((k) => k !== ''),
      password: v.password,
      ...(v.totp ? { totp: v.totp } : {}),
    }),
  });
  if (vm.state !== 'running' || !holdsAny(me.roles, MAY_REPLACE)) return null;
  const wrongCredentials = form.error instanceof ApiError && form.error.code === 'INVALID_CREDENTIALS';
  const submit = form.onSubmit(async (body) => {
    await replaceVmSshKeys(api, vm.id, body);
    setQueued(true);
    setOpen(false);
    onQueued();
  });
  return (
    <div className="vm-keys">
      <LiveRegion kind="success">
        {queued ? (
          <>
            {t('vmKeys.queued', { name: vm.name })} <Link to={`/vps-requests/${vm.requestId}`}>{t('vms.followProgress')}</Link>
          </>
        ) : null}
      </LiveRegion>
      {open ? (
        <form
          aria-labelledby={`keys-${vm.id}`}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <h3 id={`keys-${vm.id}`}>{t('vmKeys.title', { name: vm.name })}</h3>
          <p className="muted">{t('vmKeys.intro')}</p>
          <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
          {wrongCredentials ? <p>{t('vmKeys.wrongPassword')}</p> : null}
          <SshKeysField
            keys={form.values.sshPublicKeys}
            onChange={(keys) => form.set('sshPublicKeys', keys)}
            errors={form.fieldErrors}
            onTouch={() => undefined}
          />
          <div className="form-grid">
            <Field label={t('vmKeys.password')} type="password" required autoComplete="current-password" {...form.bind('password')} />
            {me.user.totpEnabled ? (
              <Field label={t('vmKeys.totp')} inputMode="numeric" autoComplete="one-time-code" required {...form.bind('totp')} />
            ) : null}
          </div>
          <FormActions busy={form.busy} saveLabel={t('vmKeys.submit')} onCancel={() => setOpen(false)} />
        </form>
      ) : (
        <div className="form-actions">
          <button
            type="button"
            className="button small"
            aria-label={t('vms.actionLabel', { action: t('vmKeys.open'), name: vm.name })}
            onClick={() => {
              form.reset(EMPTY);
              setQueued(false);
              setOpen(true);
            }}
          >
            {t('vmKeys.open')}
          </button>
        </div>
      )}
    </div>
  );
}
