import { useI18n } from '../../i18n/use-i18n';
import { Field } from '../../ui/field';

/** Text values of a size (memory in GiB) as the settings forms edit them. */
export type SizeValues = { cores: string; memoryGiB: string; diskGiB: string };

/** cores / memory GiB / disk GiB → the API's numbers (empty fields become undefined). */
export function toResources(v: SizeValues): { cores?: number; memoryMiB?: number; diskGiB?: number } {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const memory = num(v.memoryGiB);
  return { cores: num(v.cores), memoryMiB: memory === undefined ? undefined : Math.round(memory * 1024), diskGiB: num(v.diskGiB) };
}

/** The API's numbers → text values. */
export function fromResources(r: { cores?: number; memoryMiB?: number; diskGiB?: number } | null | undefined): SizeValues {
  return {
    cores: r?.cores?.toString() ?? '',
    memoryGiB: r?.memoryMiB === undefined ? '' : String(r.memoryMiB / 1024),
    diskGiB: r?.diskGiB?.toString() ?? '',
  };
}

/** Three number fields for a size; `prefix` is the error path (e.g. `min`, `levels.1.appliesFrom`). */
export function ResourcesFields({
  value,
  onChange,
  errors,
  prefix,
  required,
  readOnly,
}: {
  value: SizeValues;
  onChange(v: SizeValues): void;
  errors: Record<string, string>;
  prefix: string;
  required?: boolean;
  readOnly?: boolean;
}) {
  const { t } = useI18n();
  const set = (key: keyof SizeValues) => (x: string) => onChange({ ...value, [key]: x });
  return (
    <div className="nums">
      <Field
        label={t('opSettings.cores')}
        type="number"
        min={1}
        value={value.cores}
        onValue={set('cores')}
        required={required}
        readOnly={readOnly}
        error={errors[`${prefix}.cores`]}
      />
      <Field
        label={t('opSettings.memoryGiB')}
        type="number"
        min={0.5}
        step={0.5}
        value={value.memoryGiB}
        onValue={set('memoryGiB')}
        required={required}
        readOnly={readOnly}
        error={errors[`${prefix}.memoryMiB`]}
      />
      <Field
        label={t('opSettings.diskGiB')}
        type="number"
        min={1}
        value={value.diskGiB}
        onValue={set('diskGiB')}
        required={required}
        readOnly={readOnly}
        error={errors[`${prefix}.diskGiB`]}
      />
    </div>
  );
}
