import { useI18n } from '../../i18n/use-i18n';
import { useLocation } from 'react-router';
import { Link } from '../../ui/link';
import { Page } from '../../ui/page';

/** Unknown path, or a screen the roles may not open (like the API's 404 for others' resources). */
export function NotFoundPage() {
  const { t } = useI18n();
  const { pathname: path } = useLocation();
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body', { path })}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </Page>
  );
}
