import { BACKUP_MODES, DATA_CLASSIFICATIONS, ZBackupPolicy, type BackupPolicy } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putBackupPolicy } from '../../api/settings.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { Field } from '../../ui/field';
import { SelectField } from '../../ui/select-field';
import { FormActions } from '../../ui/form-actions';
import { useContractForm } from '../../ui/use-contract-form';

type ClassClass = (typeof DATA_CLASSIFICATIONS)[number];
type ClassInputs = {
  windowStart: string;
  windowEnd: string;
  keepDaily: string;
  keepWeekly: string;
  keepMonthly: string;
  storage: string;
  mode: (typeof BACKUP_MODES)[number];
};
type Inputs = { classes: Record<ClassClass, ClassInputs>; perNodeLimit: string; offsiteCopy: boolean };

function toInputs(p: BackupPolicy): Inputs {
  const classes = Object.fromEntries(
    DATA_CLASSIFICATIONS.map((c) => {
      const v = p.classes[c];
      return [
        c,
        {
          ...v,
          keepDaily: String(v.keepDaily),
          keepWeekly: String(v.keepWeekly),
          keepMonthly: String(v.keepMonthly),
          mode: v.mode ?? 'snapshot',
        },
      ];
    }),
  ) as Record<ClassClass, ClassInputs>;
  return { classes, perNodeLimit: String(p.perNodeLimit), offsiteCopy: p.offsiteCopy };
}

function toBody(v: Inputs): BackupPolicy {
  const classes = Object.fromEntries(
    DATA_CLASSIFICATIONS.map((c) => {
      const i = v.classes[c];
      return [
        c,
        {
          windowStart: i.windowStart.trim(),
          windowEnd: i.windowEnd.trim(),
          keepDaily: Number(i.keepDaily),
          keepWeekly: Number(i.keepWeekly),
          keepMonthly: Number(i.keepMonthly),
          storage: i.storage.trim(),
          // snapshot is what an absent mode means: stored only when it differs
          ...(i.mode === 'snapshot' ? {} : { mode: i.mode }),
        },
      ];
    }),
  ) as BackupPolicy['classes'];
  return { classes, perNodeLimit: Number(v.perNodeLimit), offsiteCopy: v.offsiteCopy };
}

/** The backup policy per service class (PUT /settings/backup-policy, admins): the scheduler and the agreement's article 6 both read it. */
export function BackupPolicyForm({ initial, readOnly }: { initial: BackupPolicy; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm<Inputs, typeof ZBackupPolicy>({ schema: ZBackupPolicy, defaultValues: toInputs(initial), toBody });
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <form
      className="card form-grid"
      aria-labelledby="backup-policy-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putBackupPolicy(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="backup-policy-title">{t('backups.policyTitle')}</h2>
      <p className="muted">{t('backups.policyIntro')}</p>
      <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      {DATA_CLASSIFICATIONS.map((c) => (
        <fieldset key={c} className="level-box">
          <legend>{t('backups.class', { name: t(`apps.class.${c}`) })}</legend>
          <Field label={t('backups.windowStart')} type="time" {...form.bind(`classes.${c}.windowStart`)} required readOnly={readOnly} />
          <Field label={t('backups.windowEnd')} type="time" {...form.bind(`classes.${c}.windowEnd`)} required readOnly={readOnly} />
          <Field
            label={t('backups.keepDaily')}
            type="number"
            min={1}
            {...form.bind(`classes.${c}.keepDaily`)}
            required
            readOnly={readOnly}
          />
          <Field
            label={t('backups.keepWeekly')}
            type="number"
            min={0}
            {...form.bind(`classes.${c}.keepWeekly`)}
            required
            readOnly={readOnly}
          />
          <Field
            label={t('backups.keepMonthly')}
            type="number"
            min={0}
            {...form.bind(`classes.${c}.keepMonthly`)}
            required
            readOnly={readOnly}
          />
          <Field label={t('backups.storage')} {...form.bind(`classes.${c}.storage`)} required readOnly={readOnly} />
          <SelectField
            label={t('backupList.mode')}
            hint={t('backupList.modeHint')}
            {...form.bind(`classes.${c}.mode`)}
            options={BACKUP_MODES.map((m) => ({ value: m, label: t(`backupList.mode.${m}`) }))}
            disabled={readOnly}
          />
        </fieldset>
      ))}
      <Field label={t('backups.perNodeLimit')} type="number" min={1} max={16} {...form.bind('perNodeLimit')} required readOnly={readOnly} />
      <label className="choice">
        <input
          type="checkbox"
          checked={form.values.offsiteCopy}
          disabled={readOnly}
          onChange={(event) => form.set('offsiteCopy', event.target.checked)}
        />
        {t('backups.offsiteCopy')}
      </label>
      {readOnly ? null : <FormActions busy={form.busy} saveLabel={t('backups.save')} />}
    </form>
  );
}
