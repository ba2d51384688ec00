import { Role } from '@betang/core';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api/api-context';
import { catalogQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { CatalogSection } from './catalog-section';
import { PresetForm } from './preset-form';
import { TemplateForm } from './template-form';

/** What the request form offers: OS templates and size presets, editable by admins and operators. */
export function CatalogPage() {
  const { t, number } = useI18n();
  const mayEdit = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const catalog = useQuery(catalogQuery(useApi()));
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const saved = (name: string) => {
    setEditing(null);
    setNotice(t('opCatalog.saved', { name }));
    void catalog.refetch();
  };
  const data = catalog.data;
  return (
    <Page title={t('opCatalog.title')}>
      <p className="muted">{t('opCatalog.intro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={catalog.error} />
      {catalog.isFetching && !data ? <Loading /> : null}
      {data ? (
        <>
          <CatalogSection
            prefix="templates"
            title={t('opCatalog.templates')}
            emptyText={t('opCatalog.noTemplates')}
            entries={data.templates}
            columns={[
              { label: t('opCatalog.vmid'), cell: (tpl) => tpl.pveTemplateVmid },
              {
                label: t('opCatalog.placement'),
                cell: (tpl) => `${tpl.pveNode ?? t('opCatalog.anyNode')} · ${tpl.storage ?? t('opCatalog.defaultStorage')}`,
              },
            ]}
            mayEdit={mayEdit}
            editLabel={(tpl) => t('opCatalog.editTemplate', { name: tpl.name })}
            addLabel={t('opCatalog.addTemplate')}
            editing={editing}
            onEdit={setEditing}
            renderForm={(tpl, close) => <TemplateForm template={tpl} onSaved={saved} onCancel={close} />}
          />
          <CatalogSection
            prefix="presets"
            title={t('opCatalog.presets')}
            emptyText={t('opCatalog.noPresets')}
            entries={data.presets}
            columns={[
              {
                label: t('opCatalog.size'),
                cell: (p) => t('opCommon.size', { cores: p.cores, memory: number(p.memoryMiB / 1024), disk: p.diskGiB }),
              },
            ]}
            mayEdit={mayEdit}
            editLabel={(p) => t('opCatalog.editPreset', { name: p.name })}
            addLabel={t('opCatalog.addPreset')}
            editing={editing}
            onEdit={setEditing}
            renderForm={(p, close) => <PresetForm preset={p} onSaved={saved} onCancel={close} />}
          />
        </>
      ) : null}
    </Page>
  );
}
