import { DATA_CENTER_ROLES, ZApprovalPolicy, type ApprovalPolicy, type Role } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putApprovalPolicy } from '../../api/settings.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert, LiveRegion } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { SelectField } from '../../ui/select-field';
import { ResourcesFields, fromResources, toResources, type SizeValues } from './resources-fields';

type LevelValues = { nameId: string; nameEn: string; roles: Role[]; mode: 'any' | 'all'; limited: boolean; from: SizeValues };
type PolicyValues = { levels: LevelValues[]; auto: boolean; autoSize: SizeValues };
const toLevel = (l: ApprovalPolicy['levels'][number]): LevelValues => ({
  nameId: l.name.id,
  nameEn: l.name.en,
  roles: [...l.roles],
  mode: l.mode,
  limited: l.appliesFrom !== undefined,
  from: fromResources(l.appliesFrom),
});
const MAX_LEVELS = 5;

function toPolicy(levels: LevelValues[], auto: boolean, autoSize: SizeValues): ApprovalPolicy {
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    levels: levels.map((l, i) => ({
      level: i + 1,
      name: { id: l.nameId.trim(), en: l.nameEn.trim() },
      roles: l.roles,
      mode: l.mode,
      ...(l.limited ? { appliesFrom: defined(toResources(l.from)) } : {}),
    })),
    autoApproveUpTo: auto ? (toResources(autoSize) as NonNullable<ApprovalPolicy['autoApproveUpTo']>) : null,
  };
}

/** The approval policy: levels in order (roles, any/all, from which size), and auto-approval of small requests. */
export function ApprovalPolicyForm({ initial, readOnly }: { initial: ApprovalPolicy; readOnly: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({
    schema: ZApprovalPolicy,
    defaultValues: {
      levels: initial.levels.map(toLevel),
      auto: initial.autoApproveUpTo !== null,
      autoSize: fromResources(initial.autoApproveUpTo),
    } as PolicyValues,
    toBody: (v: PolicyValues) => toPolicy(v.levels, v.auto, v.autoSize),
  });
  const { levels, auto, autoSize } = form.values;
  const setLevels = (next: LevelValues[]) => form.set('levels', next);
  const [notice, setNotice] = useState<string | null>(null);
  const change = (index: number, patch: Partial<LevelValues>) => setLevels(levels.map((l, i) => (i === index ? { ...l, ...patch } : l)));
  const e = form.fieldErrors;

  return (
    <form
      className="card"
      aria-labelledby="policy-title"
      onSubmit={(event) => {
        setNotice(null);
        return form.onSubmit(async (body) => {
          await putApprovalPolicy(api, body);
          setNotice(t('opSettings.saved'));
        })(event);
      }}
      noValidate
    >
      <h2 id="policy-title">{t('opSettings.policyTitle')}</h2>
      <p className="muted small">{t('opSettings.policyIntro')}</p>
      <p className="muted small">{t('opSettings.policyAdminOnly')}</p>
      <FormAlert error={form.error} fieldErrors={e} />
      <LiveRegion kind="success">{notice}</LiveRegion>
      {levels.map((level, index) => (
        <fieldset key={index} className="level-box" disabled={readOnly}>
          <legend>{t('opSettings.level', { level: index + 1 })}</legend>
          <div className="nums">
            <Field
              label={t('opSettings.nameId')}
              value={level.nameId}
              onValue={(x) => change(index, { nameId: x })}
              required
              maxLength={100}
              error={e[`levels.${index}.name.id`]}
            />
            <Field
              label={t('opSettings.nameEn')}
              value={level.nameEn}
              onValue={(x) => change(index, { nameEn: x })}
              required
              maxLength={100}
              error={e[`levels.${index}.name.en`]}
            />
            <SelectField
              label={t('opSettings.mode')}
              value={level.mode}
              onValue={(x) => change(index, { mode: x === 'all' ? 'all' : 'any' })}
              options={[
                { value: 'any', label: t('opSettings.modeAny') },
                { value: 'all', label: t('opSettings.modeAll') },
              ]}
            />
          </div>
          <CheckboxGroup
            legend={t('opSettings.roles')}
            options={DATA_CENTER_ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }))}
            selected={level.roles}
            onChange={(roles) => change(index, { roles })}
            error={e[`levels.${index}.roles`]}
          />
          <label className="choice">
            <input type="checkbox" checked={level.limited} onChange={(event) => change(index, { limited: event.target.checked })} />
            {t('opSettings.appliesFrom')}
          </label>
          {level.limited ? (
            <>
              <p className="hint">{t('opSettings.appliesFromHint')}</p>
              <ResourcesFields
                value={level.from}
                onChange={(from) => change(index, { from })}
                errors={e}
                prefix={`levels.${index}.appliesFrom`}
              />
            </>
          ) : null}
        </fieldset>
      ))}
      {e.levels ? <p className="field-error">{e.levels}</p> : null}
      {readOnly ? null : (
        <div className="form-actions">
          <button
            type="button"
            className="button"
            disabled={levels.length >= MAX_LEVELS}
            onClick={() =>
              setLevels([...levels, { nameId: '', nameEn: '', roles: [], mode: 'any', limited: false, from: fromResources(null) }])
            }
          >
            {t('opSettings.addLevel')}
          </button>
          <button type="button" className="button" disabled={levels.length <= 1} onClick={() => setLevels(levels.slice(0, -1))}>
            {t('opSettings.removeLevel', { level: levels.length })}
          </button>
        </div>
      )}
      <fieldset className="level-box" disabled={readOnly}>
        <legend>{t('opSettings.autoTitle')}</legend>
        <label className="choice">
          <input type="checkbox" checked={auto} onChange={(event) => form.set('auto', event.target.checked)} />
          {t('opSettings.autoApprove')}
        </label>
        {auto ? (
          <ResourcesFields value={autoSize} onChange={(size) => form.set('autoSize', size)} errors={e} prefix="autoApproveUpTo" required />
        ) : null}
      </fieldset>
      {readOnly ? null : (
        <button type="submit" className="button primary" disabled={form.busy}>
          {t('opSettings.savePolicy')}
        </button>
      )}
    </form>
  );
}
