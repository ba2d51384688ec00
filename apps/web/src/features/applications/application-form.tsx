import {
  APPLICATION_KINDS,
  APPLICATION_STATUSES,
  APPLICATION_USER_TYPES,
  DATA_CLASSIFICATIONS,
  DEVELOPER_TYPES,
  ZCreateApplicationBody,
  ZUpdateApplicationBody,
  type ApplicationDto,
  type CreateApplicationBody,
  type UpdateApplicationBody,
  formatNip,
} from '@betang/core';
import { useApi } from '../../api/api-context';
import { createApplication, updateApplication } from '../../api/applications.api';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { SelectField } from '../../ui/select-field';
import { TextAreaField } from '../../ui/textarea-field';
import { CLASSIFICATION_KEY, DEVELOPER_KEY, KIND_KEY, STATUS_KEY, USER_TYPE_KEY } from './application-labels';
import { FormActions } from '../../ui/form-actions';

const TEXT_FIELDS = [
  'name',
  'description',
  'function',
  'unit',
  'picName',
  'picNip',
  'picPosition',
  'picPhone',
  'picEmail',
  'developerName',
  'url',
  'techStack',
  'databaseEngine',
] as const;
type Values = Record<
  (typeof TEXT_FIELDS)[number] | 'kind' | 'dataClassification' | 'status' | 'developerType' | 'userType' | 'yearBuilt',
  string
>;

function initial(app?: ApplicationDto): Values {
  const text = Object.fromEntries(TEXT_FIELDS.map((key) => [key, app?.[key] ?? ''])) as Record<(typeof TEXT_FIELDS)[number], string>;
  return {
    ...text,
    // Shown as civil servants write it; the contract drops the spaces again.
    picNip: formatNip(text.picNip),
    kind: app?.kind ?? 'khusus',
    dataClassification: app?.dataClassification ?? 'rendah',
    status: app?.status ?? 'active',
    developerType: app?.developerType ?? 'internal',
    userType: app?.userType ?? 'internal',
    yearBuilt: app?.yearBuilt ? String(app.yearBuilt) : '',
  };
}

/** The body as the API expects it: empty optional texts left out (create) or cleared with null (edit). */
function toBody(values: Values, editing: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    kind: values.kind,
    dataClassification: values.dataClassification,
    status: values.status,
    developerType: values.developerType,
    userType: values.userType,
  };
  for (const key of TEXT_FIELDS) {
    const value = values[key].trim();
    if (value) body[key] = value;
    else if (editing && !['name', 'picName', 'picNip', 'picEmail'].includes(key)) body[key] = null;
  }
  if (values.yearBuilt.trim()) body.yearBuilt = Number(values.yearBuilt);
  else if (editing) body.yearBuilt = null;
  return body;
}

const options = <V extends string>(values: readonly V[], keys: Record<V, MessageKey>, t: (key: MessageKey) => string) =>
  values.map((value) => ({ value, label: t(keys[value]) }));

/** Adds or edits an inventory entry; the contract's rules are checked before sending, the API's field errors shown on the fields. */
export function ApplicationForm({
  application,
  onSaved,
  onCancel,
}: {
  application?: ApplicationDto;
  onSaved(app: ApplicationDto): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const editing = application !== undefined;
  const form = useContractForm({
    schema: editing ? ZUpdateApplicationBody : ZCreateApplicationBody,
    defaultValues: initial(application),
    toBody: (v: Values) => toBody(v, editing),
  });
  const err = form.fieldErrors;

  const title = editing ? t('apps.editTitle', { name: application.name }) : t('apps.addTitle');
  return (
    <form
      className="card form-grid"
      onSubmit={form.onSubmit(async (body) =>
        onSaved(
          editing
            ? await updateApplication(api, application.id, body as UpdateApplicationBody)
            : await createApplication(api, body as CreateApplicationBody),
        ),
      )}
      noValidate
      aria-labelledby="app-form-title"
    >
      <h2 id="app-form-title">{title}</h2>
      <FormAlert error={form.error} fieldErrors={err} />
      <Field label={t('apps.name')} required {...form.bind('name')} error={err.name} />
      <SelectField
        label={t('apps.kind')}
        required
        {...form.bind('kind')}
        options={options(APPLICATION_KINDS, KIND_KEY, t)}
        error={err.kind}
        hint={t('apps.kindHint')}
      />
      <SelectField
        label={t('apps.classification')}
        required
        {...form.bind('dataClassification')}
        options={options(DATA_CLASSIFICATIONS, CLASSIFICATION_KEY, t)}
        error={err.dataClassification}
        hint={t('apps.classificationHint')}
      />
      <SelectField
        label={t('apps.status')}
        required
        {...form.bind('status')}
        options={options(APPLICATION_STATUSES, STATUS_KEY, t)}
        error={err.status}
      />
      <TextAreaField label={t('apps.description')} {...form.bind('description')} error={err.description} rows={3} />
      <Field label={t('apps.function')} {...form.bind('function')} error={err.function} />
      <Field label={t('apps.unit')} {...form.bind('unit')} error={err.unit} />
      <Field label={t('apps.picName')} required {...form.bind('picName')} error={err.picName} />
      <Field label={t('apps.picNip')} required inputMode="numeric" hint={t('apps.nipHint')} {...form.bind('picNip')} error={err.picNip} />
      <Field label={t('apps.picEmail')} required type="email" {...form.bind('picEmail')} error={err.picEmail} />
      <Field label={t('apps.picPhone')} type="tel" {...form.bind('picPhone')} error={err.picPhone} />
      <Field label={t('apps.picPosition')} {...form.bind('picPosition')} error={err.picPosition} />
      <SelectField
        label={t('apps.developerType')}
        {...form.bind('developerType')}
        options={options(DEVELOPER_TYPES, DEVELOPER_KEY, t)}
        error={err.developerType}
      />
      <Field label={t('apps.developerName')} {...form.bind('developerName')} error={err.developerName} />
      <SelectField
        label={t('apps.userType')}
        {...form.bind('userType')}
        options={options(APPLICATION_USER_TYPES, USER_TYPE_KEY, t)}
        error={err.userType}
      />
      <Field label={t('apps.url')} type="url" hint={t('apps.urlHint')} {...form.bind('url')} error={err.url} />
      <Field label={t('apps.techStack')} {...form.bind('techStack')} error={err.techStack} />
      <Field label={t('apps.databaseEngine')} {...form.bind('databaseEngine')} error={err.databaseEngine} />
      <Field label={t('apps.yearBuilt')} inputMode="numeric" {...form.bind('yearBuilt')} error={err.yearBuilt} />
      <FormActions busy={form.busy} saveLabel={editing ? t('common.save') : t('apps.addSubmit')} onCancel={onCancel} />
    </form>
  );
}
