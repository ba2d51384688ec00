import { ZErrorBody, type Locale } from '@betang/core';
import type { z } from 'zod';
import { ApiError, CLIENT_ERROR } from './api-error';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query values; undefined and empty strings are left out. */
export type Query = Record<string, string | number | boolean | undefined | null>;

type RequestOptions<S extends z.ZodType | undefined> = {
  query?: Query;
  body?: unknown;
  /** The contract schema the answer must satisfy; omitted for 204 answers. */
  response?: S;
  signal?: AbortSignal;
};

type Result<S> = S extends z.ZodType ? z.output<S> : undefined;

type ApiClientOptions = {
  /** Prefix of every path (same origin: the API serves the UI, Vite proxies /api in development). */
  baseUrl?: string;
  /** The language people chose; sent as Accept-Language so API messages match the UI. */
  locale(): Locale;
  /** Called when the API says the session is gone (401 UNAUTHENTICATED). */
  onUnauthenticated?(): void;
};

const UNSAFE = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one place the web calls fetch. Sends the session cookie, X-CSRF-Token on unsafe requests
 * and Accept-Language; parses answers with core's contract schemas and turns every failure into
 * an ApiError. A CSRF refusal is retried once after reloading the token from GET /me: the API
 * refused before running the handler, so the retry cannot apply a change twice.
 */
export class ApiClient {
  private csrfToken: string | null = null;

  constructor(private readonly options: ApiClientOptions) {}

  /** Remembers the CSRF token from sign-in or GET /me (null after sign-out). */
  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  /** Calls `path` (relative to /api/v1) and returns the answer parsed by `response`. */
  async request<S extends z.ZodType | undefined = undefined>(
    method: Method,
    path: string,
    options: RequestOptions<S> = {},
  ): Promise<Result<S>> {
    let response = await this.send(method, path, options);
    if (response.status === 403 && UNSAFE.has(method) && (await this.isCsrfRefusal(response))) {
      await this.reloadCsrfToken();
      response = await this.send(method, path, options);
    }
    return this.read(response, path, options.response);
  }

  private async send(method: Method, path: string, options: RequestOptions<z.ZodType | undefined>): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': this.options.locale() };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (UNSAFE.has(method) && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    try {
      return await fetch(this.url(path, options.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, CLIENT_ERROR.Network, String(error), undefined, null);
    }
  }

  private url(path: string, query: Query | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.options.baseUrl ?? '/api/v1'}${path}${search ? `?${search}` : ''}`;
  }

  private async isCsrfRefusal(response: Response): Promise<boolean> {
    const body = ZErrorBody.safeParse(
      await response
        .clone()
        .json()
        .catch(() => null),
    );
    return body.success && body.data.error.code === 'CSRF_TOKEN_INVALID';
  }

  private async reloadCsrfToken(): Promise<void> {
    const response = await this.send('GET', '/me', {});
    const body = (await response.json().catch(() => null)) as { csrfToken?: unknown } | null;
    if (response.ok && typeof body?.csrfToken === 'string') this.csrfToken = body.csrfToken;
  }

  private async read<S extends z.ZodType | undefined>(response: Response, path: string, schema: S | undefined): Promise<Result<S>> {
    const requestId = response.headers.get('x-request-id');
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const parsed = ZErrorBody.safeParse(json);
      if (!parsed.success) throw new ApiError(response.status, CLIENT_ERROR.BadResponse, response.statusText, undefined, requestId);
      const { code, message, details } = parsed.data.error;
      // Only UNAUTHENTICATED means the session is gone; INVALID_CREDENTIALS (also 401) is a wrong
      // password or code typed into a form (sign-in, TOTP enrolment, signing) and stays on the page.
      if (code === 'UNAUTHENTICATED') this.options.onUnauthenticated?.();
      throw new ApiError(response.status, code, message, details, parsed.data.error.requestId ?? requestId);
    }
    if (!schema) return undefined as Result<S>;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(response.status, CLIENT_ERROR.BadResponse, parsed.error.message, undefined, requestId);
    return parsed.data as Result<S>;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
