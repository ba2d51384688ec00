import { ZPutPresetBody, type ZSizePreset } from '@betang/core';
import type { z } from 'zod';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { putPreset } from '../../api/catalog.api';
import { useI18n } from '../../i18n/i18n-context';
import { Field } from '../../ui/field';
import { useSubmit, validateWith } from '../../ui/form-state';
import { CatalogEntryForm, PRESET_ID_PATTERN } from './catalog-entry-form';

type Preset = z.infer<typeof ZSizePreset>;

/** Creates (no `preset`) or edits a size preset: PUT /catalog/presets/:id (memory entered in GiB). */
export function PresetForm({ preset, onSaved, onCancel }: { preset?: Preset; onSaved(name: string): void; onCancel(): void }) {
  const { t, locale } = useI18n();
  const api = useApi();
  const form = useSubmit();
  const [v, setV] = useState({
    id: preset?.id ?? '',
    name: preset?.name ?? '',
    cores: preset ? String(preset.cores) : '',
    memoryGiB: preset ? String(preset.memoryMiB / 1024) : '',
    diskGiB: preset ? String(preset.diskGiB) : '',
    isActive: preset?.isActive ?? true,
  });
  const set = (key: keyof typeof v) => (value: string) => setV((old) => ({ ...old, [key]: value }));
  const title = preset ? t('opCatalog.editPreset', { name: preset.name }) : t('opCatalog.addPreset');

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    const body = { name: v.name, cores: Number(v.cores), memoryMiB: Math.round(Number(v.memoryGiB) * 1024), diskGiB: Number(v.diskGiB), isActive: v.isActive };
    const errors = validateWith(ZPutPresetBody, body, locale);
    if (errors.memoryMiB) errors.memoryGiB = errors.memoryMiB;
    if (!PRESET_ID_PATTERN.test(v.id)) errors.id = t('opCatalog.idRule');
    if (Object.keys(errors).length > 0) return form.setFieldErrors(errors);
    const ok = await form.submit(async () => {
      await putPreset(api, v.id, body);
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
      editing={preset !== undefined}
      onValue={(key, value) => set(key)(value)}
      isActive={v.isActive}
      onActive={(isActive) => setV((old) => ({ ...old, isActive }))}
      onSubmit={onSubmit}
      onCancel={onCancel}
    >
      <Field label={t('opCatalog.cores')} type="number" min={1} value={v.cores} onValue={set('cores')} required error={form.fieldErrors.cores} />
      <Field label={t('opCatalog.memoryGiB')} type="number" min={0.5} step={0.5} value={v.memoryGiB} onValue={set('memoryGiB')} required error={form.fieldErrors.memoryGiB} />
      <Field label={t('opCatalog.diskGiB')} type="number" min={10} value={v.diskGiB} onValue={set('diskGiB')} required error={form.fieldErrors.diskGiB} />
    </CatalogEntryForm>
  );
}
