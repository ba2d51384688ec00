import { Role } from '@betang/core';
import { useState } from 'react';
import { getCatalog } from '../../api/catalog.api';
import { useResource } from '../../api/use-resource';
import { useI18n } from '../../i18n/i18n-context';
import { holdsAny, useMe } from '../../session/session-context';
import { ErrorAlert, LiveRegion, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { StatusBadge } from '../../ui/status-badge';
import { TableWrap } from '../../ui/table-wrap';
import { PresetForm } from './preset-form';
import { TemplateForm } from './template-form';

/** What the request form offers: OS templates and size presets, editable by admins and operators. */
export function CatalogPage() {
  const { t, number } = useI18n();
  const mayEdit = holdsAny(useMe().roles, [Role.Admin, Role.Operator]);
  const catalog = useResource(getCatalog, []);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const saved = (name: string) => {
    setEditing(null);
    setNotice(t('opCatalog.saved', { name }));
    catalog.reload();
  };
  const active = (on: boolean) => (on ? <StatusBadge tone="good">{t('opCatalog.isActive')}</StatusBadge> : <StatusBadge tone="idle">{t('opCatalog.inactive')}</StatusBadge>);
  const data = catalog.data;
  return (
    <Page title={t('opCatalog.title')}>
      <p className="muted">{t('opCatalog.intro')}</p>
      <LiveRegion kind="success">{notice}</LiveRegion>
      <ErrorAlert error={catalog.error} />
      {catalog.loading && !data ? <Loading /> : null}
      {data ? (
        <>
          <section className="card" aria-labelledby="templates-title">
            <h2 id="templates-title">{t('opCatalog.templates')}</h2>
            {data.templates.length === 0 ? <p>{t('opCatalog.noTemplates')}</p> : null}
            <TableWrap labelledBy="templates-title">
              <table className="responsive">
                <thead>
                  <tr>
                    <th scope="col">{t('opCatalog.name')}</th>
                    <th scope="col">{t('opCatalog.vmid')}</th>
                    <th scope="col">{t('opCatalog.placement')}</th>
                    <th scope="col">{t('opCatalog.state')}</th>
                    <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {data.templates.map((tpl) => (
                    <tr key={tpl.id}>
                      <td data-label={t('opCatalog.name')}>
                        <strong>{tpl.name}</strong> <code className="small">{tpl.id}</code>
                      </td>
                      <td data-label={t('opCatalog.vmid')}>{tpl.pveTemplateVmid}</td>
                      <td data-label={t('opCatalog.placement')}>{`${tpl.pveNode ?? t('opCatalog.anyNode')} · ${tpl.storage ?? t('opCatalog.defaultStorage')}`}</td>
                      <td data-label={t('opCatalog.state')}>{active(tpl.isActive)}</td>
                      <td className="cell-actions">
                        {mayEdit ? (
                          <button type="button" className="button small" onClick={() => setEditing(`t:${tpl.id}`)}>
                            {t('opCatalog.editTemplate', { name: tpl.name })}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            {data.templates.filter((tpl) => editing === `t:${tpl.id}`).map((tpl) => (
              <TemplateForm key={tpl.id} template={tpl} onSaved={saved} onCancel={() => setEditing(null)} />
            ))}
            {editing === 't:new' ? <TemplateForm onSaved={saved} onCancel={() => setEditing(null)} /> : null}
            {mayEdit && editing !== 't:new' ? (
              <button type="button" className="button" onClick={() => setEditing('t:new')}>
                {t('opCatalog.addTemplate')}
              </button>
            ) : null}
          </section>
          <section className="card" aria-labelledby="presets-title">
            <h2 id="presets-title">{t('opCatalog.presets')}</h2>
            {data.presets.length === 0 ? <p>{t('opCatalog.noPresets')}</p> : null}
            <TableWrap labelledBy="presets-title">
              <table className="responsive">
                <thead>
                  <tr>
                    <th scope="col">{t('opCatalog.name')}</th>
                    <th scope="col">{t('opCatalog.size')}</th>
                    <th scope="col">{t('opCatalog.state')}</th>
                    <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {data.presets.map((p) => (
                    <tr key={p.id}>
                      <td data-label={t('opCatalog.name')}>
                        <strong>{p.name}</strong> <code className="small">{p.id}</code>
                      </td>
                      <td data-label={t('opCatalog.size')}>{t('opCommon.size', { cores: p.cores, memory: number(p.memoryMiB / 1024), disk: p.diskGiB })}</td>
                      <td data-label={t('opCatalog.state')}>{active(p.isActive)}</td>
                      <td className="cell-actions">
                        {mayEdit ? (
                          <button type="button" className="button small" onClick={() => setEditing(`p:${p.id}`)}>
                            {t('opCatalog.editPreset', { name: p.name })}
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            {data.presets.filter((p) => editing === `p:${p.id}`).map((p) => (
              <PresetForm key={p.id} preset={p} onSaved={saved} onCancel={() => setEditing(null)} />
            ))}
            {editing === 'p:new' ? <PresetForm onSaved={saved} onCancel={() => setEditing(null)} /> : null}
            {mayEdit && editing !== 'p:new' ? (
              <button type="button" className="button" onClick={() => setEditing('p:new')}>
                {t('opCatalog.addPreset')}
              </button>
            ) : null}
          </section>
        </>
      ) : null}
    </Page>
  );
}
