import { ZCreateIpPoolBody, type InstitutionDto } from '@betang/core';
import { useApi } from '../../api/api-context';
import { ApiError } from '../../api/api-error';
import { createIpPool, type IpPool } from '../../api/ip-pools.api';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { SelectField } from '../../ui/select-field';
import { FormActions } from '../../ui/form-actions';

const EMPTY = {
  name: '',
  cidr: '',
  gateway: '',
  vlanTag: '',
  bridge: 'vmbr0',
  rangeStart: '',
  rangeEnd: '',
  dnsServers: '',
  searchDomain: '',
  institutionId: '',
};
type Values = typeof EMPTY;

function toBody(v: Values) {
  return {
    name: v.name,
    cidr: v.cidr.trim(),
    gateway: v.gateway.trim(),
    vlanTag: v.vlanTag.trim() ? Number(v.vlanTag) : null,
    bridge: v.bridge.trim(),
    dnsServers: v.dnsServers.split(/[\s,]+/).filter(Boolean),
    searchDomain: v.searchDomain.trim() || null,
    rangeStart: v.rangeStart.trim(),
    rangeEnd: v.rangeEnd.trim(),
    institutionId: v.institutionId || null,
  };
}

/** Adds an IP pool; the client checks the contract, the API checks gateway and range against the CIDR (errors by field). */
export function IpPoolForm({ institutions, onCreated }: { institutions: readonly InstitutionDto[]; onCreated(pool: IpPool): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useContractForm({ schema: ZCreateIpPoolBody, defaultValues: EMPTY, toBody });

  async function create(body: Parameters<typeof createIpPool>[1]) {
    try {
      return await createIpPool(api, body);
    } catch (error) {
      // the API's "outside the CIDR" issue carries the CIDR as its message: say it in words
      if (!(error instanceof ApiError)) throw error;
      const issues = error.fieldIssues.map((issue) =>
        issue.code === 'outside_cidr' ? { ...issue, message: t('opPools.outsideCidr', { cidr: issue.message }) } : issue,
      );
      throw new ApiError(error.status, error.code, error.message, issues.length > 0 ? issues : error.details, error.requestId);
    }
  }

  const e = form.fieldErrors;
  return (
    <form
      className="card form-grid"
      aria-labelledby="pool-form-title"
      onSubmit={form.onSubmit(async (body) => {
        const created = await create(body);
        form.reset(EMPTY);
        onCreated(created);
      })}
      noValidate
    >
      <h2 id="pool-form-title">{t('opPools.createTitle')}</h2>
      <FormAlert error={form.error} fieldErrors={e} />
      <Field label={t('opPools.name')} {...form.bind('name')} required maxLength={100} error={e.name} />
      <Field label={t('opPools.cidr')} hint={t('opPools.cidrHint')} {...form.bind('cidr')} required error={e.cidr} />
      <Field label={t('opPools.gateway')} {...form.bind('gateway')} required error={e.gateway} />
      <Field label={t('opPools.rangeStart')} {...form.bind('rangeStart')} required error={e.rangeStart} />
      <Field label={t('opPools.rangeEnd')} {...form.bind('rangeEnd')} required error={e.rangeEnd} />
      <Field
        label={t('opPools.vlan')}
        hint={t('opPools.vlanHint')}
        type="number"
        min={1}
        max={4094}
        {...form.bind('vlanTag')}
        error={e.vlanTag}
      />
      <Field label={t('opPools.bridge')} {...form.bind('bridge')} required error={e.bridge} />
      <Field
        label={t('opPools.dns')}
        hint={t('opPools.dnsHint')}
        {...form.bind('dnsServers')}
        error={e.dnsServers ?? e['dnsServers.0'] ?? e['dnsServers.1']}
      />
      <Field label={t('opPools.searchDomain')} {...form.bind('searchDomain')} error={e.searchDomain} />
      <SelectField
        label={t('opPools.institution')}
        hint={t('opPools.institutionHint')}
        {...form.bind('institutionId')}
        placeholder={t('opPools.shared')}
        options={institutions.map((i) => ({ value: i.id, label: i.name }))}
        error={e.institutionId}
      />
      <FormActions busy={form.busy} saveLabel={t('opPools.create')} />
    </form>
  );
}
