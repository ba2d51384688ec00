import type { UserDto } from '@betang/core';
import { useState } from 'react';
import { listUsers, type UserScope } from '../../api/institutions.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { AddUserForm } from './add-user-form';
import { EditUserForm } from './edit-user-form';
import { roleKey } from './user-roles';
import { TableWrap } from '../../ui/table-wrap';

/** Users of a scope: the list, an edit panel for the chosen one and the add form. */
export function UsersManager({ scope }: { scope: UserScope }) {
  const { t, date } = useI18n();
  const users = useResource((api) => listUsers(api, scope), [scope.institutionId]);
  const [editing, setEditing] = useState<UserDto | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  function afterChange(message: string) {
    setEditing(null);
    setNotice(message);
    users.reload();
  }

  return (
    <>
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">{t('users.listTitle')}</h2>
        <LiveRegion kind="success">{notice}</LiveRegion>
        {users.loading && !users.data ? <Loading /> : null}
        <ErrorAlert error={users.error} />
        {users.data && users.data.items.length === 0 ? <p>{t('users.empty')}</p> : null}
        {users.data && users.data.items.length > 0 ? (
          <TableWrap labelledBy="users-title">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">{t('users.name')}</th>
                  <th scope="col">{t('users.email')}</th>
                  <th scope="col">{t('users.roles')}</th>
                  <th scope="col">{t('users.status')}</th>
                  <th scope="col">{t('users.since')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((user) => (
                  <tr key={user.id}>
                    <td data-label={t('users.name')}>
                      {user.name}
                      {user.position ? <span className="muted small block">{user.position}</span> : null}
                    </td>
                    <td data-label={t('users.email')}>{user.email}</td>
                    <td data-label={t('users.roles')}>{user.roles.map((role) => t(roleKey(role))).join(', ')}</td>
                    <td data-label={t('users.status')}>
                      {user.isActive ? t('users.statusActive') : t('users.statusInactive')}
                      {user.totpEnabled ? <span className="badge">{t('users.totpBadge')}</span> : null}
                    </td>
                    <td data-label={t('users.since')}>{date(user.createdAt)}</td>
                    <td className="cell-actions">
                      <button type="button" className="button small" onClick={() => setEditing(user)} aria-label={t('users.editLabel', { name: user.name })}>
                        {t('common.edit')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ) : null}
      </section>
      {editing ? (
        <EditUserForm key={editing.id} user={editing} onSaved={(user) => afterChange(t('users.saved', { name: user.name }))} onCancel={() => setEditing(null)} />
      ) : null}
      <AddUserForm scope={scope} onAdded={(user) => afterChange(t('users.added', { name: user.name }))} />
    </>
  );
}
