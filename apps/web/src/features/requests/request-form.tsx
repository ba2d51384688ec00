import {
  ZSubmitRequestBody,
  type ApplicationDto,
  type ZCatalog,
  type MeResponse,
  type QuotaResponse,
  type Resources,
  type VpsRequestDto,
  formatNip,
} from '@betang/core';
import { useMemo, useState } from 'react';
import { useApi } from '../../api/api-context';
import { submitRequest } from '../../api/vps-requests.api';
import { useI18n } from '../../i18n/use-i18n';
import { Link } from '../../ui/link';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { contractErrors, useContractForm } from '../../ui/use-contract-form';
import { SelectField } from '../../ui/select-field';
import { TextAreaField } from '../../ui/textarea-field';
import { QuotaPreview } from './quota-preview';
import { Refusal } from './refusal';
import { boundsErrors, customResources, toRequestBody, type RequestFormValues } from './request-body';
import { SizePicker } from './size-picker';
import { SshKeysField } from './ssh-keys-field';
import { SubmitGuidance } from './submit-guidance';
import { useRequestPrecheck } from './use-request-precheck';
import type { z } from 'zod';
import { FormActions } from '../../ui/form-actions';

type Catalog = z.infer<typeof ZCatalog>;

type Props = {
  me: MeResponse;
  applications: ApplicationDto[];
  catalog: Catalog;
  quota: QuotaResponse;
  onSubmitted(request: VpsRequestDto): void;
};

/** Core's own rule messages read "Indonesian / English"; show the half in the UI language. */
function inLanguage(message: string, locale: 'id' | 'en'): string {
  const halves = message.split(' / ');
  return halves.length === 2 ? (locale === 'id' ? halves[0]! : halves[1]!) : message;
}

function initialValues(me: MeResponse, catalog: Catalog, applications: ApplicationDto[]): RequestFormValues {
  return {
    applicationId: applications.length === 1 ? applications[0]!.id : '',
    hostname: '',
    templateId: catalog.templates[0]?.id ?? '',
    size: catalog.presets[0]?.id ?? 'custom',
    custom: {
      cores: String(catalog.customBounds.min.cores),
      memoryGiB: String(catalog.customBounds.min.memoryMiB / 1024),
      diskGiB: String(catalog.customBounds.min.diskGiB),
    },
    sshPublicKeys: [''],
    purpose: '',
    publicAccess: false,
    ports: '',
    contact: { name: me.user.name, nip: formatNip(me.user.nip ?? ''), phone: me.user.phone ?? '', email: me.user.email },
  };
}

/**
 * The VPS request form. Every change is checked with the API's own schema (ZSubmitRequestBody,
 * incl. ZHostname and the SSH key parser) and shown on fields people have touched; the quota
 * left is recomputed for the chosen size; a 422 refusal is explained with a link to fix it.
 */
export function RequestForm({ me, applications, catalog, quota, onSubmitted }: Props) {
  const { t, locale } = useI18n();
  const api = useApi();
  const outOfBounds = (v: RequestFormValues) =>
    v.size === 'custom'
      ? boundsErrors(customResources(v), catalog.customBounds, (min, max) => t('requests.outOfBounds', { min, max }))
      : {};
  const form = useContractForm({
    schema: ZSubmitRequestBody,
    defaultValues: initialValues(me, catalog, applications),
    toBody: toRequestBody,
    extraErrors: outOfBounds,
  });
  const values = form.values;
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const attempted = form.form.formState.isSubmitted;
  const touch = (path: string) => setTouched((previous) => (previous.has(path) ? previous : new Set([...previous, path])));
  const update = (path: string, patch: Partial<RequestFormValues>) => {
    touch(path);
    for (const [key, value] of Object.entries(patch)) form.set(key as keyof RequestFormValues, value as never);
  };

  const body = useMemo(() => toRequestBody(values), [values]);
  // Errors show while people type, on the fields they touched (all of them after a send attempt).
  const liveErrors = useMemo(() => {
    const errors = { ...contractErrors(ZSubmitRequestBody, body), ...outOfBounds(values) };
    return Object.fromEntries(Object.entries(errors).map(([path, message]) => [path, inLanguage(message, locale)]));
  }, [body, values, catalog, locale, t]);
  const shown = Object.fromEntries(
    Object.entries(liveErrors).filter(([path]) => attempted || [...touched].some((p) => path === p || path.startsWith(`${p}.`))),
  );
  const errors = { ...shown, ...form.serverFieldErrors };
  const chosen: Resources | null =
    values.size === 'custom' ? customResources(values) : (catalog.presets.find((p) => p.id === values.size) ?? null);

  const precheck = useRequestPrecheck(values);
  // Only a server answer that something blocks disables sending; without an answer the server decides at submission.
  const blocked = precheck.data ? !precheck.data.submittable : false;

  const setContact = (key: keyof RequestFormValues['contact']) => (value: string) =>
    update(`contact.${key}`, { contact: { ...values.contact, [key]: value } });
  return (
    <>
      <SubmitGuidance precheck={precheck.data} />
      <QuotaPreview quota={quota} chosen={chosen} />
      <form
        className="card form-grid"
        onSubmit={form.onSubmit(async (body) => onSubmitted(await submitRequest(api, body)))}
        noValidate
        aria-labelledby="request-form-title"
      >
        <h2 id="request-form-title">{t('requests.formTitle')}</h2>
        <FormAlert error={form.error} fieldErrors={attempted ? errors : {}} />
        <Refusal error={form.error} />
        <SelectField
          label={t('requests.application')}
          required
          placeholder={t('requests.pickApplication')}
          value={values.applicationId}
          onValue={(v) => update('applicationId', { applicationId: v })}
          options={applications.map((a) => ({ value: a.id, label: a.name }))}
          error={errors.applicationId}
          hint={
            <>
              {t('requests.applicationHint')} <Link to="/applications">{t('requests.applicationManage')}</Link>
            </>
          }
        />
        <Field
          label={t('requests.hostname')}
          required
          spellCheck={false}
          autoComplete="off"
          hint={t('requests.hostnameHint')}
          value={values.hostname}
          onValue={(v) => update('hostname', { hostname: v })}
          error={errors.hostname}
        />
        <SelectField
          label={t('requests.template')}
          required
          value={values.templateId}
          onValue={(v) => update('templateId', { templateId: v })}
          options={catalog.templates.map((tpl) => ({ value: tpl.id, label: tpl.name }))}
          error={errors.templateId}
        />
        <SizePicker
          catalog={catalog}
          values={values}
          errors={errors}
          onSize={(size) => update('presetId', { size })}
          onCustom={(custom) => update('resources', { custom })}
        />
        <SshKeysField
          keys={values.sshPublicKeys}
          onChange={(keys) => update('sshPublicKeysList', { sshPublicKeys: keys })}
          errors={errors}
          onTouch={touch}
        />
        <TextAreaField
          label={t('requests.purpose')}
          required
          rows={3}
          hint={t('requests.purposeHint')}
          value={values.purpose}
          onValue={(v) => update('purpose', { purpose: v })}
          error={errors.purpose}
        />
        {catalog.internetAccess.offered ? (
          <div className="field">
            <label className="choice">
              <input
                type="checkbox"
                checked={values.publicAccess}
                onChange={(event) => update('network.publicAccess', { publicAccess: event.target.checked })}
              />
              {t('requests.publicAccess')}
            </label>
            <p className="hint">
              {t('requests.publicAccessHint')} {t('internet.natHint')}
            </p>
            {errors['network.publicAccess'] ? (
              <p className="field-error" role="alert">
                {errors['network.publicAccess']}
              </p>
            ) : null}
          </div>
        ) : (
          <p className="hint field" data-testid="internet-not-offered">
            {t('internet.notOffered')}
          </p>
        )}
        <Field
          label={t('requests.ports')}
          hint={t('requests.portsHint')}
          inputMode="numeric"
          value={values.ports}
          onValue={(v) => update('network.ports', { ports: v })}
          error={errors['network.ports'] ?? Object.entries(errors).find(([path]) => path.startsWith('network.ports.'))?.[1]}
        />
        <fieldset className="field field-wide">
          <legend>{t('requests.contact')}</legend>
          <p className="hint">{t('requests.contactHint')}</p>
          <div className="form-grid">
            <Field
              label={t('requests.contactName')}
              required
              value={values.contact.name}
              onValue={setContact('name')}
              error={errors['contact.name']}
            />
            <Field
              label={t('requests.contactNip')}
              required
              inputMode="numeric"
              value={values.contact.nip}
              onValue={setContact('nip')}
              error={errors['contact.nip']}
            />
            <Field
              label={t('requests.contactPhone')}
              required
              type="tel"
              value={values.contact.phone}
              onValue={setContact('phone')}
              error={errors['contact.phone']}
            />
            <Field
              label={t('requests.contactEmail')}
              required
              type="email"
              value={values.contact.email}
              onValue={setContact('email')}
              error={errors['contact.email']}
            />
          </div>
        </fieldset>
        {blocked ? (
          <p className="hint field-wide" data-testid="submit-disabled">
            {t('guidance.submitDisabled')}
          </p>
        ) : null}
        <FormActions busy={form.busy} disabled={blocked} saveLabel={t('requests.submit')} />
      </form>
    </>
  );
}
