import { ZPutPresetBody, type ZSizePreset } from '@betang/core';
import type { z } from 'zod';
import { putPreset } from '../../api/catalog.api';
import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';
import { CatalogEntryForm, PRESET_ID_PATTERN } from './catalog-entry-form';

type Preset = z.infer<typeof ZSizePreset>;

/** Creates (no `preset`) or edits a size preset: PUT /catalog/presets/:id (memory entered in GiB). */
export function PresetForm({ preset, onSaved, onCancel }: { preset?: Preset; onSaved(name: string): void; onCancel(): void }) {
  const { t } = useI18n();
  return (
    <CatalogEntryForm
      title={preset ? t('opCatalog.editPreset', { name: preset.name }) : t('opCatalog.addPreset')}
      editing={preset !== undefined}
      idPattern={PRESET_ID_PATTERN}
      initial={{
        id: preset?.id ?? '',
        name: preset?.name ?? '',
        cores: preset ? String(preset.cores) : '',
        memoryGiB: preset ? String(preset.memoryMiB / 1024) : '',
        diskGiB: preset ? String(preset.diskGiB) : '',
        isActive: preset?.isActive ?? true,
      }}
      schema={ZPutPresetBody}
      toBody={(v) => ({
        name: v.name,
        cores: Number(v.cores),
        memoryMiB: Math.round(Number(v.memoryGiB) * 1024),
        diskGiB: Number(v.diskGiB),
        isActive: v.isActive,
      })}
      save={putPreset}
      onSaved={onSaved}
      onCancel={onCancel}
    >
      {(v, set, fieldErrors) => (
        <>
          <Field
            label={t('opCatalog.cores')}
            type="number"
            min={1}
            value={v.cores}
            onValue={set('cores')}
            required
            error={fieldErrors.cores}
          />
          <Field
            label={t('opCatalog.memoryGiB')}
            type="number"
            min={0.5}
            step={0.5}
            value={v.memoryGiB}
            onValue={set('memoryGiB')}
            required
            error={fieldErrors.memoryMiB}
          />
          <Field
            label={t('opCatalog.diskGiB')}
            type="number"
            min={10}
            value={v.diskGiB}
            onValue={set('diskGiB')}
            required
            error={fieldErrors.diskGiB}
          />
        </>
      )}
    </CatalogEntryForm>
  );
}
