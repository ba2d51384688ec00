import type { EstateVmDto } from '@betang/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { adoptEstateVm } from '../../api/estate.api';
import { applicationsOfInstitutionQuery, institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { SelectField } from '../../ui/select-field';

/** The owner of one census VM: Betang's proposal preselected, the operator confirms or corrects it. */
export function AdoptForm({ vm, onDone, onCancel }: { vm: EstateVmDto; onDone(message: string): void; onCancel(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const [institutionId, setInstitutionId] = useState(vm.proposal?.institutionId ?? '');
  const [applicationId, setApplicationId] = useState(vm.proposal?.applicationId ?? '');
  const institutions = useQuery(institutionListQuery(api));
  const applications = useQuery({ ...applicationsOfInstitutionQuery(api, institutionId), enabled: institutionId !== '' });
  const adopt = useMutation({ mutationFn: () => adoptEstateVm(api, vm.vmid, { institutionId, applicationId }) });
  const label = vm.name ?? String(vm.vmid);
  return (
    <form
      className="card"
      aria-label={t('adoption.formTitle', { name: label })}
      onSubmit={(event) => {
        event.preventDefault();
        adopt.mutate(undefined, {
          onSuccess: (r) =>
            onDone(
              r.over.length > 0
                ? t('adoption.adoptedOver', { name: label, over: r.over.map((o) => `${o.dimension} ${o.used}/${o.allowed}`).join(', ') })
                : t('adoption.adopted', { name: label }),
            ),
        });
      }}
    >
      <FormAlert error={adopt.error} fieldErrors={{}} />
      <SelectField
        label={t('adoption.institution')}
        value={institutionId}
        required
        placeholder={t('adoption.choose')}
        onValue={(v) => {
          setInstitutionId(v);
          setApplicationId('');
        }}
        options={(institutions.data?.items ?? []).map((i) => ({ value: i.id, label: `${i.code} — ${i.name}` }))}
      />
      <SelectField
        label={t('adoption.application')}
        value={applicationId}
        required
        placeholder={t('adoption.choose')}
        onValue={setApplicationId}
        options={(applications.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
      />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={!institutionId || !applicationId || adopt.isPending}>
          {t('adoption.confirm')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('adoption.cancel')}
        </button>
      </div>
    </form>
  );
}
