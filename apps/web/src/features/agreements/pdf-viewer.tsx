import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/use-i18n';
import { LiveRegion } from '../../ui/alert';

type Loaded = { pages: number; text: string[] };

/**
 * Shows a PDF in the page with pdf.js: each page drawn on a canvas at the size it is displayed
 * times the device pixel ratio, so it stays sharp (the browser's own viewer
 * would need an inline Content-Disposition and is missing in headless browsers), plus the text of
 * every page for screen readers and search. pdf.js loads on demand (its own chunk and worker,
 * same origin, no eval), so pages without a PDF stay small.
 */
export function PdfViewer({ url, title }: { url: string; title: string }) {
  const { t } = useI18n();
  const pagesRef = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => Promise<void>) | undefined;
    setLoaded(null);
    setFailed(false);
    (async () => {
      const [pdfjs, worker] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]);
      pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
      const task = pdfjs.getDocument({ url, isEvalSupported: false });
      destroy = () => task.destroy();
      const doc = await task.promise;
      const target = pagesRef.current;
      if (!target || cancelled) return;
      target.replaceChildren();
      const text: string[] = [];
      for (let number = 1; number <= doc.numPages && !cancelled; number += 1) {
        const page = await doc.getPage(number);
        const base = page.getViewport({ scale: 1 });
        const ratio = window.devicePixelRatio || 1;
        const canvas = document.createElement('canvas');
        canvas.className = 'pdf-page';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', t('agreements.pdfPage', { page: number, pages: doc.numPages }));
        // Measured once in the page: the list is hidden while empty, so before the first canvas
        // it has no width; the canvas's own CSS width is the size it will be shown at.
        target.append(canvas);
        const shown = canvas.getBoundingClientRect().width || target.clientWidth || 320;
        const viewport = page.getViewport({ scale: (shown / base.width) * ratio });
        canvas.width = Math.round(viewport.width);
        canvas.height = Math.round(viewport.height);
        await page.render({ canvas, viewport }).promise;
        const content = await page.getTextContent();
        text.push(
          content.items
            .map((item) => ('str' in item ? item.str : ''))
            .join(' ')
            .replace(/\s+/g, ' ')
            .trim(),
        );
      }
      if (!cancelled) setLoaded({ pages: doc.numPages, text });
    })().catch(() => {
      if (!cancelled) setFailed(true);
    });
    return () => {
      cancelled = true;
      void destroy?.();
    };
  }, [url, t]);

  return (
    <div className="pdf-viewer">
      <LiveRegion kind="error">{failed ? t('agreements.pdfFailed') : null}</LiveRegion>
      {!loaded && !failed ? (
        <p role="status" className="muted">
          {t('agreements.pdfLoading')}
        </p>
      ) : null}
      {/* focusable: keyboard users scroll the pages and the text too */}
      <div className="pdf-pages" ref={pagesRef} aria-label={title} role="group" tabIndex={0} data-testid="pdf-pages" />
      {loaded ? (
        <details>
          <summary>{t('agreements.pdfText', { pages: loaded.pages })}</summary>
          <div
            className="pdf-text"
            data-testid="pdf-text"
            tabIndex={0}
            role="group"
            aria-label={t('agreements.pdfText', { pages: loaded.pages })}
          >
            {loaded.text.map((page, index) => (
              <p key={index}>{page}</p>
            ))}
          </div>
        </details>
      ) : null}
    </div>
  );
}
