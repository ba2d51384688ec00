import { ZPutTemplateBody, type ZCatalogTemplate } from '@betang/core';
import type { z } from 'zod';
import { putTemplate } from '../../api/catalog.api';
import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';
import { CatalogEntryForm, TEMPLATE_ID_PATTERN } from './catalog-entry-form';

type Template = z.infer<typeof ZCatalogTemplate>;

/** Creates (no `template`) or edits an OS template: PUT /catalog/templates/:id. */
export function TemplateForm({ template, onSaved, onCancel }: { template?: Template; onSaved(name: string): void; onCancel(): void }) {
  const { t } = useI18n();
  return (
    <CatalogEntryForm
      title={template ? t('opCatalog.editTemplate', { name: template.name }) : t('opCatalog.addTemplate')}
      editing={template !== undefined}
      idPattern={TEMPLATE_ID_PATTERN}
      initial={{
        id: template?.id ?? '',
        name: template?.name ?? '',
        osFamily: template?.osFamily ?? '',
        pveTemplateVmid: template ? String(template.pveTemplateVmid) : '',
        pveNode: template?.pveNode ?? '',
        storage: template?.storage ?? '',
        isActive: template?.isActive ?? true,
      }}
      schema={ZPutTemplateBody}
      toBody={(v) => ({
        name: v.name,
        osFamily: v.osFamily.trim(),
        pveTemplateVmid: Number(v.pveTemplateVmid),
        pveNode: v.pveNode.trim() || null,
        storage: v.storage.trim() || null,
        isActive: v.isActive,
      })}
      save={putTemplate}
      onSaved={onSaved}
      onCancel={onCancel}
    >
      {(v, set, fieldErrors) => (
        <>
          <Field
            label={t('opCatalog.osFamily')}
            hint={t('opCatalog.osFamilyHint')}
            value={v.osFamily}
            onValue={set('osFamily')}
            required
            error={fieldErrors.osFamily}
          />
          <Field
            label={t('opCatalog.vmid')}
            type="number"
            min={100}
            value={v.pveTemplateVmid}
            onValue={set('pveTemplateVmid')}
            required
            error={fieldErrors.pveTemplateVmid}
          />
          <Field
            label={t('opCatalog.node')}
            hint={t('opCatalog.nodeHint')}
            value={v.pveNode}
            onValue={set('pveNode')}
            error={fieldErrors.pveNode}
          />
          <Field
            label={t('opCatalog.storage')}
            hint={t('opCatalog.storageHint')}
            value={v.storage}
            onValue={set('storage')}
            error={fieldErrors.storage}
          />
        </>
      )}
    </CatalogEntryForm>
  );
}
