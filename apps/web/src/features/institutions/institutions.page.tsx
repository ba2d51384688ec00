import { Role } from '@betang/core';
import { useState } from 'react';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { LiveRegion } from '../../ui/alert';
import { Page } from '../../ui/page';
import { CreateInstitutionForm } from './create-institution-form';
import { InstitutionsTable } from './institutions-table';

/** Every institution (data-center staff), and for admins a form to add one. */
export function InstitutionsPage() {
  const { t } = useI18n();
  const isAdmin = holdsAny(useMe().roles, [Role.Admin]);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Page title={t('opInst.title')}>
      <p className="muted">{t('opInst.intro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <InstitutionsTable key={version} />
      {isAdmin ? (
        <CreateInstitutionForm
          onCreated={(institution) => {
            setNotice(t('opInst.created', { name: institution.name }));
            setVersion((v) => v + 1);
          }}
        />
      ) : null}
    </Page>
  );
}
