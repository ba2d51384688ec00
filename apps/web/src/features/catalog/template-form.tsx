import { ZPutTemplateBody } from '@betang/core';
import type { z } from 'zod';
import type { ZCatalogTemplate } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putTemplate } from '../../api/catalog.api';
import { useI18n } from '../../i18n/i18n-context';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { CatalogEntryForm, TEMPLATE_ID_PATTERN } from './catalog-entry-form';

type Template = z.infer<typeof ZCatalogTemplate>;

/** Creates (no `template`) or edits an OS template: PUT /catalog/templates/:id. */
export function TemplateForm({ template, onSaved, onCancel }: { template?: Template; onSaved(name: string): void; onCancel(): void }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [v, setV] = useState({
    id: template?.id ?? '',
    name: template?.name ?? '',
    osFamily: template?.osFamily ?? '',
    pveTemplateVmid: template ? String(template.pveTemplateVmid) : '',
    pveNode: template?.pveNode ?? '',
    storage: template?.storage ?? '',
    isActive: template?.isActive ?? true,
  });
  const set = (key: keyof typeof v) => (value: string) => setV((old) => ({ ...old, [key]: value }));
  const title = template ? t('opCatalog.editTemplate', { name: template.name }) : t('opCatalog.addTemplate');

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    const body = { name: v.name, osFamily: v.osFamily.trim(), pveTemplateVmid: Number(v.pveTemplateVmid), pveNode: v.pveNode.trim() || null, storage: v.storage.trim() || null, isActive: v.isActive };
    const errors = validateWith(ZPutTemplateBody, body, locale);
    if (!TEMPLATE_ID_PATTERN.test(v.id)) errors.id = t('opCatalog.idRule');
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    const ok = await form.submit(async () => {
      await putTemplate(api, v.id, body);
      return true;
    });
    if (ok) onSaved(body.name);
  }

  return (
    <CatalogEntryForm
      title={title}
      form={form}
      id={v.id}
      name={v.name}
      editing={template !== undefined}
      onValue={(key, value) => set(key)(value)}
      isActive={v.isActive}
      onActive={(isActive) => setV((old) => ({ ...old, isActive }))}
      onSubmit={onSubmit}
      onCancel={onCancel}
    >
      <Field label={t('opCatalog.osFamily')} hint={t('opCatalog.osFamilyHint')} value={v.osFamily} onValue={set('osFamily')} required error={form.fieldErrors.osFamily} />
      <Field label={t('opCatalog.vmid')} type="number" min={100} value={v.pveTemplateVmid} onValue={set('pveTemplateVmid')} required error={form.fieldErrors.pveTemplateVmid} />
      <Field label={t('opCatalog.node')} hint={t('opCatalog.nodeHint')} value={v.pveNode} onValue={set('pveNode')} error={form.fieldErrors.pveNode} />
      <Field label={t('opCatalog.storage')} hint={t('opCatalog.storageHint')} value={v.storage} onValue={set('storage')} error={form.fieldErrors.storage} />
    </CatalogEntryForm>
  );
}
