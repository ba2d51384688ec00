import type { UserDto } from '@betang/core';
import { useState } from 'react';
import { type UserScope } from '../../api/institutions.api';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { userListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { AddUserForm } from './add-user-form';
import { EditUserForm } from './edit-user-form';
import { roleKey } from './user-roles';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';
import { WithNote } from '../../ui/with-note';
import { FilterBar } from '../find/filter-bar';
import { useUrlFilters } from '../find/url-filters';

const TEXT_FILTER = ['q'] as const;

/** Users of a scope: the list, an edit panel for the chosen one and the add form. */
export function UsersManager({ scope }: { scope: UserScope }) {
  const { t, date } = useI18n();
  const filters = useUrlFilters(TEXT_FILTER);
  const users = useQuery(userListQuery(useApi(), scope, filters.values.q));
  const [editing, setEditing] = useState<UserDto | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  function afterChange(message: string) {
    setEditing(null);
    setNotice(message);
    void users.refetch();
  }

  return (
    <>
      <FilterBar
        headingId="users-filter-title"
        title={t('find.filterTitle')}
        controls={[{ key: 'q', label: t('find.text'), kind: 'text', hint: t('find.textHintUsers') }]}
        values={filters.values}
        onApply={filters.apply}
        onClear={filters.clear}
      />
      <ListSection
        headingId="users-title"
        title={t('users.listTitle')}
        notice={notice}
        loading={users.isFetching && !users.data}
        error={users.error}
      >
        <DataTable
          rows={users.data?.items}
          empty={t('users.empty')}
          columns={[
            { label: t('users.name'), cell: (user) => <WithNote note={user.position}>{user.name}</WithNote> },
            { label: t('users.email'), cell: (user) => user.email },
            { label: t('users.roles'), cell: (user) => user.roles.map((role) => t(roleKey(role))).join(', ') },
            {
              label: t('users.status'),
              cell: (user) => (
                <>
                  {user.isActive ? t('users.statusActive') : t('users.statusInactive')}
                  {user.totpEnabled ? <span className="badge">{t('users.totpBadge')}</span> : null}
                </>
              ),
            },
            { label: t('users.since'), cell: (user) => date(user.createdAt) },
          ]}
          actions={(user) => (
            <button
              type="button"
              className="button small"
              onClick={() => setEditing(user)}
              aria-label={t('users.editLabel', { name: user.name })}
            >
              {t('common.edit')}
            </button>
          )}
        />
      </ListSection>
      {editing ? (
        <EditUserForm
          key={editing.id}
          user={editing}
          onSaved={(user) => afterChange(t('users.saved', { name: user.name }))}
          onUnlocked={(user) => afterChange(t('users.unlocked', { name: user.name }))}
          onTotpReset={(user) => afterChange(t('users.totpResetDone', { name: user.name }))}
          onDeactivated={(user) => afterChange(t('users.deactivated', { name: user.name }))}
          onReactivated={(user) => afterChange(t('users.reactivated', { name: user.name }))}
          onMoved={(user, institution) => afterChange(t('pic.moved', { name: user.name, institution }))}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      <AddUserForm scope={scope} onAdded={(user) => afterChange(t('users.added', { name: user.name }))} />
    </>
  );
}
