import { Role, ZSetConsolePasswordBody, type VmDto } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { setVmConsolePassword } from '../../api/vms.api';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { Link } from '../../ui/link';
import { useContractForm } from '../../ui/use-contract-form';

type Values = { consolePassword: string; password: string; totp: string };
const EMPTY: Values = { consolePassword: '', password: '', totp: '' };
/** Who may set it: the owning institution's people and the data center's operators (never auditors). */
const MAY_SET = [Role.InstitutionHead, Role.InstitutionStaff, Role.Operator, Role.Admin];

/**
 * "Atur sandi konsol": the rescue login. Cloud images lock password login, so the console is of no
 * use to someone locked out of SSH until the admin user has a password; this sets one through the
 * guest agent after the account password (and TOTP code) is asked again. Only while the VM runs.
 */
export function ConsolePassword({ vm }: { vm: VmDto }) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [queued, setQueued] = useState<{ user: string } | null>(null);
  const form = useContractForm<Values, typeof ZSetConsolePasswordBody>({
    schema: ZSetConsolePasswordBody,
    defaultValues: EMPTY,
    toBody: (v) => ({ consolePassword: v.consolePassword, password: v.password, ...(v.totp ? { totp: v.totp } : {}) }),
  });
  if (vm.state !== 'running' || !holdsAny(me.roles, MAY_SET)) return null;
  const submit = form.onSubmit(async (body) => {
    const answer = await setVmConsolePassword(api, vm.id, body);
    setQueued({ user: answer.user });
    setOpen(false);
  });
  return (
    <div className="console-password">
      <LiveRegion kind="success">
        {queued ? (
          <>
            {t('consolePassword.queued', { user: queued.user })} <Link to={`/vps-requests/${vm.requestId}`}>{t('vms.followProgress')}</Link>
          </>
        ) : null}
      </LiveRegion>
      {open ? (
        <form
          aria-labelledby={`console-password-${vm.id}`}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <h2 id={`console-password-${vm.id}`}>{t('consolePassword.title', { name: vm.name })}</h2>
          <p className="muted">{t('consolePassword.intro')}</p>
          <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
          <div className="form-grid">
            <Field
              label={t('consolePassword.new')}
              hint={t('consolePassword.newHint')}
              type="password"
              required
              autoComplete="new-password"
              {...form.bind('consolePassword')}
            />
            <Field
              label={t('consolePassword.current')}
              type="password"
              required
              autoComplete="current-password"
              {...form.bind('password')}
            />
            {me.user.totpEnabled ? (
              <Field label={t('consolePassword.totp')} inputMode="numeric" autoComplete="one-time-code" required {...form.bind('totp')} />
            ) : null}
          </div>
          <FormActions busy={form.busy} saveLabel={t('consolePassword.submit')} onCancel={() => setOpen(false)} />
        </form>
      ) : (
        <div className="form-actions">
          <button
            type="button"
            className="button small"
            onClick={() => {
              form.reset(EMPTY);
              setQueued(null);
              setOpen(true);
            }}
          >
            {t('consolePassword.open')}
          </button>
        </div>
      )}
    </div>
  );
}
