import { TOKEN_DEFAULT_DAYS, TOKEN_SCOPES, ZCreateTokenBody, todayInJakarta, type TokenScope } from '@betang/core';
import { useState } from 'react';
import { useApi } from '../../api/api-context';
import { createToken, revokeToken } from '../../api/session.api';
import { useQuery } from '@tanstack/react-query';
import { tokenListQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { FormAlert } from '../../ui/alert';
import { CheckboxGroup, Field } from '../../ui/field';
import { useContractForm } from '../../ui/use-contract-form';
import { FormActions } from '../../ui/form-actions';
import { Page } from '../../ui/page';
import { TokenSecret } from './token-secret';
import { DataTable } from '../../ui/data-table';
import { ListSection } from '../../ui/list-section';

/** The end of the chosen day in WIB, as the API's ISO time with offset. */
function endOfDayWib(date: string): string {
  return `${date}T23:59:59+07:00`;
}

/** The WIB calendar date `days` from today, as YYYY-MM-DD (what a date input holds). */
function wibDatePlus(days: number, now = Date.now()): string {
  return todayInJakarta(new Date(now + days * 86_400_000));
}

/**
 * Last day a token may run to: its end (23:59:59 WIB) must stay within the API's 365 days from
 * now, so the latest whole day is 364 days ahead.
 */
const LAST_DAY = 364;

/** Personal API tokens: create (secret shown once), list, revoke. */
export function TokensPage() {
  const { t, dateTime } = useI18n();
  const api = useApi();
  const tokens = useQuery(tokenListQuery(api));
  const scopeOptions: { value: TokenScope; label: string }[] = [
    { value: 'read', label: t('tokens.scopeRead') },
    { value: 'requests:write', label: t('tokens.scopeRequestsWrite') },
    { value: 'inventory:write', label: t('tokens.scopeInventoryWrite') },
    { value: 'operate', label: t('tokens.scopeOperate') },
    { value: 'admin', label: t('tokens.scopeAdmin') },
  ];
  const scopeLabel = (scope: TokenScope) => scopeOptions.find((o) => o.value === scope)?.label ?? scope;
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<unknown>(undefined);
  const fresh = () => ({ name: '', expires: wibDatePlus(TOKEN_DEFAULT_DAYS), scopes: ['read'] as TokenScope[] });
  const form = useContractForm({
    schema: ZCreateTokenBody,
    defaultValues: fresh(),
    // keep the order of TOKEN_SCOPES whatever order the boxes were ticked in
    toBody: (v) => ({
      name: v.name,
      expiresAt: v.expires ? endOfDayWib(v.expires) : '',
      scopes: TOKEN_SCOPES.filter((scope) => v.scopes.includes(scope)),
    }),
    extraErrors: (v): Record<string, string> =>
      !v.expires || v.expires < wibDatePlus(0) || v.expires > wibDatePlus(LAST_DAY) ? { expiresAt: t('tokens.expiresRange') } : {},
  });

  async function onRevoke(id: string, tokenName: string) {
    setRevokeError(undefined);
    try {
      await revokeToken(api, id);
      setConfirming(null);
      setNotice(t('tokens.revoked', { name: tokenName }));
      void tokens.refetch();
    } catch (error) {
      setRevokeError(error);
    }
  }

  return (
    <Page title={t('tokens.title')}>
      <p className="muted">{t('tokens.intro')}</p>
      {secret ? <TokenSecret name={secret.name} secret={secret.secret} onDone={() => setSecret(null)} /> : null}
      <form
        className="card form-grid"
        onSubmit={form.onSubmit(async (body) => {
          const created = await createToken(api, body);
          setSecret({ name: created.name, secret: created.secret });
          form.reset(fresh());
          void tokens.refetch();
        })}
        noValidate
        aria-labelledby="token-create-title"
      >
        <h2 id="token-create-title">{t('tokens.createTitle')}</h2>
        <FormAlert error={form.error} fieldErrors={form.fieldErrors} />
        <Field label={t('tokens.name')} required hint={t('tokens.nameHint')} {...form.bind('name')} />
        <Field
          label={t('tokens.expires')}
          type="date"
          required
          min={wibDatePlus(0)}
          max={wibDatePlus(LAST_DAY)}
          hint={t('tokens.expiresHint')}
          {...form.bind('expires')}
          error={form.fieldErrors.expiresAt}
        />
        <CheckboxGroup
          legend={t('tokens.scopes')}
          options={scopeOptions}
          selected={form.values.scopes}
          onChange={(scopes) => form.set('scopes', scopes)}
          error={form.fieldErrors.scopes}
        />
        <p className="hint">{t('tokens.scopesHint')}</p>
        <FormActions busy={form.busy} saveLabel={t('tokens.create')} />
      </form>
      <ListSection
        headingId="token-list-title"
        title={t('tokens.listTitle')}
        notice={notice}
        loading={tokens.isFetching && !tokens.data}
        error={tokens.error ?? revokeError}
      >
        <DataTable
          rows={tokens.data?.items}
          empty={t('tokens.empty')}
          columns={[
            { label: t('tokens.name'), cell: (token) => token.name },
            { label: t('tokens.prefix'), cell: (token) => <code>{token.prefix}…</code> },
            { label: t('tokens.scopes'), cell: (token) => token.scopes.map(scopeLabel).join(', ') },
            { label: t('tokens.createdAt'), cell: (token) => dateTime(token.createdAt) },
            {
              label: t('tokens.expiresAt'),
              cell: (token) => (
                <>
                  {token.expiresAt ? dateTime(token.expiresAt) : t('tokens.never')}
                  {token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now() ? (
                    <span className="muted small"> ({t('tokens.expired')})</span>
                  ) : null}
                </>
              ),
            },
            { label: t('tokens.lastUsedAt'), cell: (token) => (token.lastUsedAt ? dateTime(token.lastUsedAt) : t('tokens.notUsed')) },
          ]}
          actions={(token) =>
            confirming === token.id ? (
              <>
                <button type="button" className="button danger small" onClick={() => onRevoke(token.id, token.name)}>
                  {t('tokens.confirmRevoke')}
                </button>{' '}
                <button type="button" className="button small" onClick={() => setConfirming(null)}>
                  {t('common.cancel')}
                </button>
              </>
            ) : (
              <button
                type="button"
                className="button small"
                onClick={() => setConfirming(token.id)}
                aria-label={t('tokens.revokeLabel', { name: token.name })}
              >
                {t('tokens.revoke')}
              </button>
            )
          }
        />
      </ListSection>
    </Page>
  );
}
