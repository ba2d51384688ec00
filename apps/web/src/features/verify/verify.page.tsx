import type { VerificationResult } from '@betang/core';
import { useId, useState, type ChangeEvent } from 'react';
import { useApi } from '../../api/api-context';
import { verifyPdf } from '../../api/verify.api';
import { useMutation, useQuery } from '@tanstack/react-query';
import { verificationQuery } from '../../api/queries';
import { useI18n } from '../../i18n/use-i18n';
import { useParams } from 'react-router';
import { Link } from '../../ui/link';
import { useSession } from '../../session/session-context';
import { BrandBar } from '../../shell/brand-bar';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Page } from '../../ui/page';
import { VerificationResultView } from './verification-result';

/** Public: upload an agreement PDF and learn whether it is genuine (POST /verify). No sign-in needed. */
export function VerifyPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { state } = useSession();
  const fileId = useId();
  const [result, setResult] = useState<VerificationResult | null>(null);
  const check = useMutation({
    mutationFn: (file: File) => verifyPdf(api, file, locale, state.status === 'signed-in'),
    onSuccess: setResult,
  });

  function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setResult(null);
    if (file) check.mutate(file);
  }

  return (
    <>
      <BrandBar />
      <Page title={t('verify.title')}>
        <p>{t('verify.intro')}</p>
        <section className="card" aria-labelledby="verify-upload-title">
          <h2 id="verify-upload-title">{t('verify.uploadTitle')}</h2>
          <ErrorAlert error={check.error} />
          <div className="field">
            <label htmlFor={fileId}>{t('verify.file')}</label>
            <p className="hint" id={`${fileId}-hint`}>
              {t('verify.fileHint')}
            </p>
            <input
              id={fileId}
              type="file"
              accept="application/pdf,.pdf"
              aria-describedby={`${fileId}-hint`}
              onChange={(event) => void onFile(event)}
            />
          </div>
          {check.isPending ? <Loading /> : null}
        </section>
        {result ? <VerificationResultView result={result} /> : null}
      </Page>
    </>
  );
}

/** Public: the page the QR code on every agreement page links to (GET /verify/:code). */
export function VerifyCodePage() {
  const { t } = useI18n();
  const code = useParams().code ?? '';
  const answer = useQuery(verificationQuery(useApi(), code));
  return (
    <>
      <BrandBar />
      <Page title={t('verify.codeTitle')}>
        <p>{t('verify.codeIntro', { code })}</p>
        {answer.isFetching ? <Loading /> : null}
        <ErrorAlert error={answer.error} />
        {answer.data ? <VerificationResultView result={answer.data} /> : null}
        <p>
          <Link to="/verify">{t('verify.uploadInstead')}</Link>
        </p>
      </Page>
    </>
  );
}
