import { useI18n } from '../../i18n/use-i18n';
import { useMe } from '../../session/session-context';
import { Page } from '../../ui/page';
import { UsersManager } from './users-manager';

/** Institution head: the users of their own institution. */
export function InstitutionUsersPage() {
  const { t } = useI18n();
  const me = useMe();
  return (
    <Page title={t('users.title')}>
      <p className="muted">{t('users.intro', { institution: me.institution?.name ?? '' })}</p>
      {me.institution ? <UsersManager scope={{ institutionId: me.institution.id }} /> : null}
    </Page>
  );
}

/** Admin: the data-center staff (GET/POST /users). */
export function StaffPage() {
  const { t } = useI18n();
  return (
    <Page title={t('users.staffTitle')}>
      <p className="muted">{t('users.staffIntro')}</p>
      <UsersManager scope={{ institutionId: null }} />
    </Page>
  );
}
