import type { LocalizedText } from './bilingual';

/** HTTP methods the client sends (upper case). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

type PveApiErrorInit = {
  status: number;
  reason: string;
  message: string;
  method: HttpMethod;
  pathTemplate: string;
  errors?: Record<string, string>;
};

/**
 * An HTTP-level error answer from Proxmox VE (any non-2xx status).
 *
 * PVE puts the first line of its error text in the HTTP reason phrase; since
 * libpve-http-server-perl 5.2.0 (late PVE 8) the body also carries `message`, and 400s
 * carry a per-parameter `errors` map. `message` here is the most complete text available
 * (body message, else reason phrase), trimmed.
 */
export class PveApiError extends Error {
  override readonly name = 'PveApiError';
  readonly status: number;
  readonly reason: string;
  readonly method: HttpMethod;
  readonly pathTemplate: string;
  readonly errors?: Record<string, string>;
  /** Whether retrying the same step later may succeed (see classifyPveError). */
  readonly retryable: boolean;

  constructor(init: PveApiErrorInit, retryable: boolean) {
    super(init.message);
    this.status = init.status;
    this.reason = init.reason;
    this.method = init.method;
    this.pathTemplate = init.pathTemplate;
    if (init.errors) this.errors = init.errors;
    this.retryable = retryable;
  }

  /** A text for operators and users, in both languages. */
  describe(): LocalizedText {
    const fields = this.errors
      ? ' ' +
        Object.entries(this.errors)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ')
      : '';
    return {
      id: `Proxmox menolak ${this.method} ${this.pathTemplate} (HTTP ${this.status}): ${this.message}${fields}`,
      en: `Proxmox rejected ${this.method} ${this.pathTemplate} (HTTP ${this.status}): ${this.message}${fields}`,
    };
  }
}
