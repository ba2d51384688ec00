import type { LocalizedText } from './bilingual';
import type { HttpMethod } from './pve-api-error';

/**
 * Why a request got no HTTP answer:
 * - `network`: connection refused/reset, DNS, socket closed mid-request;
 * - `timeout`: the per-call deadline passed;
 * - `aborted`: the caller's AbortSignal fired;
 * - `tls`: certificate did not match the pinned CA or fingerprint;
 * - `protocol`: an answer came but was not PVE's JSON envelope.
 */
export type TransportFailure = 'network' | 'timeout' | 'aborted' | 'tls' | 'protocol';

type PveTransportErrorInit = {
  kind: TransportFailure;
  method: HttpMethod;
  pathTemplate: string;
  message: string;
  /**
   * False only when the request certainly never reached PVE (connection refused, TLS
   * rejected before anything was sent). For POST/PUT/DELETE, true means the change may
   * have been applied: re-check PVE's state before acting again.
   */
  maybeApplied: boolean;
  attempts: number;
  cause?: unknown;
  /** With several API endpoints: why each one failed (set when none answered). */
  endpoints?: readonly EndpointFailure[];
};

/** One API endpoint that did not answer, and why (`network: ECONNREFUSED`, `TLS: …`). */
export type EndpointFailure = { endpoint: string; detail: string };

/** A request that ended without a usable PVE answer. Never re-sent for POST/PUT/DELETE. */
export class PveTransportError extends Error {
  override readonly name = 'PveTransportError';
  readonly kind: TransportFailure;
  readonly method: HttpMethod;
  readonly pathTemplate: string;
  readonly maybeApplied: boolean;
  readonly attempts: number;
  readonly retryable: boolean;
  readonly endpoints: readonly EndpointFailure[];

  constructor(init: PveTransportErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.method = init.method;
    this.pathTemplate = init.pathTemplate;
    this.maybeApplied = init.maybeApplied;
    this.attempts = init.attempts;
    this.endpoints = init.endpoints ?? [];
    // TLS pin mismatches and garbage answers are configuration problems, not blips.
    this.retryable = init.kind !== 'tls' && init.kind !== 'protocol';
  }

  /** A text for operators and users, in both languages. */
  describe(): LocalizedText {
    const id: Record<TransportFailure, string> = {
      network: 'Proxmox tidak dapat dihubungi',
      timeout: 'Proxmox tidak menjawab tepat waktu',
      aborted: 'Permintaan ke Proxmox dibatalkan',
      tls: 'Sertifikat TLS Proxmox tidak cocok dengan yang disematkan',
      protocol: 'Jawaban Proxmox tidak dapat dibaca',
    };
    const en: Record<TransportFailure, string> = {
      network: 'Proxmox could not be reached',
      timeout: 'Proxmox did not answer in time',
      aborted: 'The request to Proxmox was cancelled',
      tls: "Proxmox's TLS certificate does not match the pinned one",
      protocol: "Proxmox's answer could not be read",
    };
    if (this.endpoints.length > 1) {
      const list = this.endpoints.map((e) => `${e.endpoint} (${e.detail})`).join('; ');
      return {
        id: `Tidak ada satu pun endpoint API Proxmox yang menjawab (${this.method} ${this.pathTemplate}): ${list}`,
        en: `None of the Proxmox API endpoints answered (${this.method} ${this.pathTemplate}): ${list}`,
      };
    }
    return { id: `${id[this.kind]} (${this.method} ${this.pathTemplate})`, en: `${en[this.kind]} (${this.method} ${this.pathTemplate})` };
  }
}
