import '@xterm/xterm/css/xterm.css';
import './console.css';
import { CONSOLE_CLOSE } from '@betang/core';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { useApi } from '../../api/api-context';
import { consoleSocketUrl, openConsoleTicket } from '../../api/console.api';
import { vmQuery } from '../../api/queries';
import type { MessageKey } from '../../i18n/i18n';
import { useI18n } from '../../i18n/use-i18n';
import { ErrorAlert, Loading } from '../../ui/alert';
import { Link } from '../../ui/link';
import { Page } from '../../ui/page';
import { ConsolePassword } from './console-password';
import { openTerminal } from './terminal-styles';
import { TERM_PING, termInput, termResize } from './term-protocol';

type Status = { kind: 'connecting' } | { kind: 'open' } | { kind: 'closed'; key: MessageKey } | { kind: 'failed'; error: unknown };

const CLOSED_KEY: Record<number, MessageKey> = {
  [CONSOLE_CLOSE.idle]: 'console.closedIdle',
  [CONSOLE_CLOSE.unavailable]: 'console.closedUnavailable',
  [CONSOLE_CLOSE.refused]: 'console.closedRefused',
};

/**
 * The VM's serial console (xterm.js) through Betang's relay: a one-use ticket from the API, then
 * the websocket on the page's own origin speaking the framing of Proxmox's own xterm.js client.
 * The session ends when the page closes, the VM's console ends, or it idles (the setting).
 */
export function ConsolePage() {
  const { t } = useI18n();
  const api = useApi();
  const id = useParams().id ?? '';
  const vm = useQuery(vmQuery(api, id));
  const screen = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [attempt, setAttempt] = useState(0);
  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    const parent = screen.current;
    if (!parent) return;
    const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, rows: 24, cols: 80, scrollback: 2000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    const closeStyles = openTerminal(term, parent);
    let socket: WebSocket | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;
    let disposed = false;
    const send = (message: string): void => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(message);
    };
    const onResize = (): void => {
      try {
        fit.fit();
      } catch {
        // not laid out yet; the next resize fits it
      }
    };
    window.addEventListener('resize', onResize);
    onResize();
    const typed = term.onData((data) => send(termInput(data)));
    const resized = term.onResize(({ cols, rows }) => send(termResize(cols, rows)));
    setStatus({ kind: 'connecting' });
    openConsoleTicket(api, id).then(
      (ticket) => {
        if (disposed) return;
        socket = new WebSocket(consoleSocketUrl(window.location, ticket.wsPath, ticket.ticket), ['binary']);
        socket.binaryType = 'arraybuffer';
        let greeted = false;
        socket.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
          const bytes = typeof event.data === 'string' ? new TextEncoder().encode(event.data) : new Uint8Array(event.data);
          if (!greeted && bytes.length >= 2 && bytes[0] === 0x4f && bytes[1] === 0x4b) {
            greeted = true;
            setStatus({ kind: 'open' });
            send(termResize(term.cols, term.rows));
            term.focus();
            if (bytes.length > 2) term.write(bytes.subarray(2));
            return;
          }
          term.write(bytes);
        };
        socket.onclose = (event) => {
          if (ping) clearInterval(ping);
          if (!disposed) setStatus({ kind: 'closed', key: CLOSED_KEY[event.code] ?? 'console.closed' });
        };
        ping = setInterval(() => send(TERM_PING), 30_000);
      },
      (error: unknown) => {
        if (!disposed) setStatus({ kind: 'failed', error });
      },
    );
    return () => {
      disposed = true;
      if (ping) clearInterval(ping);
      window.removeEventListener('resize', onResize);
      typed.dispose();
      resized.dispose();
      socket?.close();
      closeStyles();
      term.dispose();
    };
  }, [api, id, attempt]);

  const name = vm.data?.name ?? '';
  return (
    <Page
      title={name ? t('console.title', { name }) : t('console.titlePlain')}
      actions={
        status.kind === 'closed' || status.kind === 'failed' ? (
          <button type="button" onClick={reconnect}>
            {t('console.reconnect')}
          </button>
        ) : undefined
      }
    >
      <p>
        <Link to="/vms">{t('console.back')}</Link>
      </p>
      <p className="muted">{t('console.intro')}</p>
      {vm.isFetching && !vm.data ? <Loading /> : null}
      <ErrorAlert error={vm.error} />
      <p role="status" aria-live="polite" data-console-status={status.kind}>
        {status.kind === 'connecting' ? t('console.connecting') : null}
        {status.kind === 'open' ? t('console.open') : null}
        {status.kind === 'closed' ? t(status.key) : null}
      </p>
      {status.kind === 'failed' ? <ErrorAlert error={status.error} /> : null}
      <div className="console-screen" ref={screen} aria-label={t('console.screenLabel')} />
      {vm.data ? <ConsolePassword vm={vm.data} /> : null}
    </Page>
  );
}
