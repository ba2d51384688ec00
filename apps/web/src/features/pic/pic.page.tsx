import type { PicVmDto } from '@betang/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { assignPic, listInstitutionPic, listPicCandidates } from '../../api/pic.api';
import { useI18n } from '../../i18n/use-i18n';
import { useMe } from '../../session/session-context';
import { ErrorAlert } from '../../ui/alert';
import { ListSection } from '../../ui/list-section';
import { Page } from '../../ui/page';
import { SelectField } from '../../ui/select-field';
import { StatusBadge } from '../../ui/status-badge';
import { TableWrap } from '../../ui/table-wrap';
import { PIC_PROBLEM_LABEL } from './pic-labels';

/** Needing a new PIC first, then by name. */
function ordered(items: readonly PicVmDto[]): PicVmDto[] {
  return [...items].sort((a, b) => Number(b.problem !== null) - Number(a.problem !== null) || a.name.localeCompare(b.name));
}

/**
 * The responsible person of each VM of one institution (the head's own; operators reach any from
 * the report): VMs needing a new PIC first, selectable, and the hand-over of the selected VMs to
 * one of the institution's users.
 */
export function PicPage() {
  const { t, number } = useI18n();
  const api = useApi();
  const me = useMe();
  const institutionId = useParams().institutionId ?? me.institution?.id ?? '';
  const vms = useQuery({
    queryKey: ['pic', institutionId],
    queryFn: () => listInstitutionPic(api, institutionId),
    enabled: institutionId !== '',
  });
  const candidates = useQuery({
    queryKey: ['pic', institutionId, 'candidates'],
    queryFn: () => listPicCandidates(api, institutionId),
    enabled: institutionId !== '',
  });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [picUserId, setPicUserId] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const rows = ordered(vms.data?.items ?? []);
  const neededCount = rows.filter((vm) => vm.problem !== null).length;
  const allSelected = rows.length > 0 && rows.every((vm) => selected.has(vm.id));
  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  async function handOver() {
    setError(undefined);
    setNotice(null);
    const person = candidates.data?.items.find((c) => c.userId === picUserId);
    if (!person || selected.size === 0) return;
    setBusy(true);
    try {
      await assignPic(api, { vmIds: [...selected], picUserId });
      setNotice(t('pic.handedOver', { count: number(selected.size, 0), name: person.name }));
      setSelected(new Set());
      await vms.refetch();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const institutionName = rows[0]?.institutionName ?? me.institution?.name ?? '';
  return (
    <Page title={t('pic.title')}>
      <p className="muted">{t('pic.intro', { institution: institutionName })}</p>
      <ListSection
        headingId="pic-vms-title"
        title={t('pic.listTitle', { count: number(neededCount, 0) })}
        loading={vms.isFetching && !vms.data}
        error={vms.error}
        notice={notice}
      >
        {vms.data && rows.length === 0 ? <p>{t('pic.empty')}</p> : null}
        {rows.length > 0 ? (
          <>
            <div className="form-actions">
              <button
                type="button"
                className="button"
                disabled={neededCount === 0}
                onClick={() => setSelected(new Set(rows.filter((vm) => vm.problem !== null).map((vm) => vm.id)))}
              >
                {t('pic.selectNeeded')}
              </button>
            </div>
            <TableWrap labelledBy="pic-vms-title">
              <table className="responsive">
                <thead>
                  <tr>
                    <th scope="col">
                      <label className="choice">
                        <input
                          type="checkbox"
                          checked={allSelected}
                          onChange={(event) => setSelected(event.target.checked ? new Set(rows.map((vm) => vm.id)) : new Set())}
                        />
                        <span className="visually-hidden">{t('pic.selectAll')}</span>
                      </label>
                    </th>
                    <th scope="col">{t('pic.vm')}</th>
                    <th scope="col">{t('pic.person')}</th>
                    <th scope="col">{t('pic.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((vm) => (
                    <tr key={vm.id}>
                      <td data-label={t('pic.select')}>
                        <label className="choice">
                          <input type="checkbox" checked={selected.has(vm.id)} onChange={(event) => toggle(vm.id, event.target.checked)} />
                          <span className="visually-hidden">{t('pic.selectOne', { name: vm.name })}</span>
                        </label>
                      </td>
                      <td data-label={t('pic.vm')}>
                        <strong>{vm.name}</strong>
                      </td>
                      <td data-label={t('pic.person')}>
                        {vm.pic ? vm.pic.name : '—'}
                        {vm.pic ? <span className="block muted small">{vm.pic.email}</span> : null}
                      </td>
                      <td data-label={t('pic.status')}>
                        {vm.problem ? (
                          <StatusBadge tone="bad">{t(PIC_PROBLEM_LABEL[vm.problem])}</StatusBadge>
                        ) : (
                          <StatusBadge tone="good">{t('pic.ok')}</StatusBadge>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </>
        ) : null}
      </ListSection>
      {rows.length > 0 ? (
        <form
          className="card form-grid"
          aria-labelledby="pic-handover-title"
          onSubmit={(event) => {
            event.preventDefault();
            void handOver();
          }}
        >
          <h2 id="pic-handover-title">{t('pic.handOverTitle')}</h2>
          <p className="muted">{t('pic.handOverIntro', { count: number(selected.size, 0) })}</p>
          <ErrorAlert error={candidates.error ?? error} />
          <SelectField
            label={t('pic.newPerson')}
            value={picUserId}
            onValue={setPicUserId}
            placeholder={t('pic.pickPerson')}
            required
            options={(candidates.data?.items ?? []).map((c) => ({ value: c.userId, label: `${c.name} (${c.email})` }))}
          />
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy || selected.size === 0 || picUserId === ''}>
              {t('pic.handOver')}
            </button>
          </div>
        </form>
      ) : null}
    </Page>
  );
}
