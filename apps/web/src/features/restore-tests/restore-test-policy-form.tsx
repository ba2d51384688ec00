import { ZRestoreTestPolicy, type RestoreTestPolicy } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putRestoreTestPolicy } from '../../api/restore-tests.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

type Inputs = {
  enabled: boolean;
  spreadDays: string;
  windowStart: string;
  windowEnd: string;
  bridge: string;
  vmidMin: string;
  vmidMax: string;
  perNodeLimit: string;
  bootTimeoutMinutes: string;
};

function toInputs(p: RestoreTestPolicy): Inputs {
  return {
    enabled: p.enabled,
    spreadDays: String(p.spreadDays),
    windowStart: p.windowStart,
    windowEnd: p.windowEnd,
    bridge: p.bridge,
    vmidMin: String(p.vmidMin),
    vmidMax: String(p.vmidMax),
    perNodeLimit: String(p.perNodeLimit),
    bootTimeoutMinutes: String(p.bootTimeoutMinutes),
  };
}

function toBody(v: Inputs): RestoreTestPolicy {
  return {
    enabled: v.enabled,
    spreadDays: Number(v.spreadDays),
    windowStart: v.windowStart.trim(),
    windowEnd: v.windowEnd.trim(),
    bridge: v.bridge.trim(),
    vmidMin: Number(v.vmidMin),
    vmidMax: Number(v.vmidMax),
    perNodeLimit: Number(v.perNodeLimit),
    bootTimeoutMinutes: Number(v.bootTimeoutMinutes),
  };
}

/**
 * The monthly test-restore schedule (PUT /settings/restore-test-policy, admins): whether it runs,
 * over how many days and in which nightly window, on which isolated bridge and vmid range, and
 * how many at once per node. Read-only for everyone else.
 */
export function RestoreTestPolicyForm({ initial, readOnly }: { initial: RestoreTestPolicy; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm<Inputs, typeof ZRestoreTestPolicy>({ schema: ZRestoreTestPolicy, defaultValues: toInputs(initial), toBody });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <form
      className="card form-grid"
      aria-labelledby="restore-test-policy-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putRestoreTestPolicy(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="restore-test-policy-title">{t('restoreTests.policyTitle')}</h2>
      <p className="muted">{t('restoreTests.policyIntro')}</p>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      <label className="choice">
        <input
          type="checkbox"
          checked={form.values.enabled}
          disabled={readOnly}
          onChange={(event) => form.set('enabled', event.target.checked)}
        />
        {t('restoreTests.enabled')}
      </label>
      <Field
        label={t('restoreTests.spreadDays')}
        hint={t('restoreTests.spreadDaysHint')}
        type="number"
        min={1}
        max={28}
        {...form.bind('spreadDays')}
        required
        readOnly={readOnly}
      />
      <Field label={t('restoreTests.windowStart')} type="time" {...form.bind('windowStart')} required readOnly={readOnly} />
      <Field label={t('restoreTests.windowEnd')} type="time" {...form.bind('windowEnd')} required readOnly={readOnly} />
      <Field label={t('restoreTests.bridge')} hint={t('restoreTests.bridgeHint')} {...form.bind('bridge')} required readOnly={readOnly} />
      <Field label={t('restoreTests.vmidMin')} type="number" min={100} {...form.bind('vmidMin')} required readOnly={readOnly} />
      <Field
        label={t('restoreTests.vmidMax')}
        hint={t('restoreTests.vmidHint')}
        type="number"
        min={100}
        {...form.bind('vmidMax')}
        required
        readOnly={readOnly}
      />
      <Field
        label={t('restoreTests.perNodeLimit')}
        type="number"
        min={1}
        max={8}
        {...form.bind('perNodeLimit')}
        required
        readOnly={readOnly}
      />
      <Field
        label={t('restoreTests.bootTimeoutMinutes')}
        type="number"
        min={2}
        max={120}
        {...form.bind('bootTimeoutMinutes')}
        required
        readOnly={readOnly}
      />
      {readOnly ? null : <FormActions busy={form.busy} saveLabel={t('restoreTests.save')} />}
    </form>
  );
}
