import type { UserDto } from '@betang/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { moveUser } from '../../api/pic.api';
import { institutionListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { SelectField } from '../../ui/select-field';

/**
 * An admin's move of an institution user to another institution (POST /users/:id/institution),
 * inside the user's edit panel (so no form of its own): the VMs they answered for in the old
 * institution then need a new responsible person.
 */
export function MoveUserField({ user, onMoved }: { user: UserDto; onMoved(user: UserDto, institutionName: string): void }) {
  const { t } = useI18n();
  const api = useApi();
  const institutions = useQuery(institutionListQuery(api));
  const [target, setTarget] = useState('');
  const options = (institutions.data?.items ?? []).filter((i) => i.id !== user.institutionId).map((i) => ({ value: i.id, label: i.name }));
  const move = useMutation({
    mutationFn: () => moveUser(api, user.id, target),
    onSuccess: (moved) => onMoved(moved, options.find((o) => o.value === target)?.label ?? ''),
  });
  return (
    <div className="field">
      <FormAlert error={institutions.error ?? move.error} fieldErrors={{}} />
      <SelectField
        label={t('pic.moveTo')}
        hint={t('pic.moveHint')}
        value={target}
        onValue={setTarget}
        placeholder={t('pic.movePick')}
        options={options}
      />
      <button type="button" className="button" disabled={move.isPending || target === ''} onClick={() => move.mutate()}>
        {t('pic.move')}
      </button>
    </div>
  );
}
