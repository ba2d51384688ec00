import { leaseWebhookDeliveries, markWebhookDelivered, markWebhookFailed, type Db, type DueWebhookDelivery } from '@betang/db';
import type { Logger } from 'pino';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature';

/** Delivery attempts before a delivery is marked failed for good (about a day with the backoff below). */
export const WEBHOOK_MAX_ATTEMPTS = 10;
/** How long a leased delivery stays invisible to other senders while this one posts it. */
const LEASE_MS = 60_000;
/** A receiver slower than this counts as a failed attempt. */
const TIMEOUT_MS = 10_000;

type SenderOptions = {
  /** First retry delay; doubles each attempt, capped at 6 hours. */
  baseDelayMs?: number;
  batch?: number;
  timeoutMs?: number;
};

/** The JSON body a receiver gets: the delivery id (for de-duplication), the event, and when it happened. */
export function webhookBody(delivery: Pick<DueWebhookDelivery, 'id' | 'kind' | 'reason' | 'payload' | 'createdAt'>): string {
  return JSON.stringify({
    id: delivery.id,
    kind: delivery.kind,
    reason: delivery.reason,
    occurredAt: delivery.createdAt.toISOString(),
    event: delivery.payload,
  });
}

/** A readable reason for a failed request: fetch hides the network error (refused, timeout, DNS) in its cause. */
function describeFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (e?.name === 'TimeoutError') return 'timeout';
  const cause = [e?.cause?.code, e?.cause?.message].filter((x) => !!x).join(': ');
  return (cause || e?.message || String(error)).slice(0, 500);
}

async function post(delivery: DueWebhookDelivery, timeoutMs: number): Promise<{ ok: boolean; status: number | null; error: string }> {
  const body = webhookBody(delivery);
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Betang-Webhook/1',
        'Betang-Delivery': String(delivery.id),
        [SIGNATURE_HEADER]: signWebhook(delivery.secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
      // A redirect could send the signed body somewhere the admin never configured.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The receiver's answer is not needed; draining it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, error: '' };
    return { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, status: null, error: describeFailure(error) };
  }
}

/**
 * Posts due webhook deliveries, each signed (SIGNATURE_HEADER) with its endpoint's secret. A 2xx
 * marks it delivered; anything else (status, timeout, refused connection, redirect) records the
 * attempt with its error and schedules a retry with exponential backoff, until
 * WEBHOOK_MAX_ATTEMPTS marks it failed. Rows are leased, never two senders on one delivery; a
 * crash after posting but before marking posts it again — receivers de-duplicate by the body's
 * `id` (the same in every attempt).
 */
export async function deliverWebhooksOnce(db: Db, logger: Logger, options: SenderOptions = {}): Promise<number> {
  const base = options.baseDelayMs ?? 10_000;
  const rows = await leaseWebhookDeliveries(db, options.batch ?? 20, LEASE_MS);
  await Promise.all(
    rows.map(async (delivery) => {
      const result = await post(delivery, options.timeoutMs ?? TIMEOUT_MS);
      if (result.ok) {
        await markWebhookDelivered(db, delivery.id, result.status ?? 200);
        return;
      }
      await markWebhookFailed(
        db,
        delivery.id,
        { statusCode: result.status, error: result.error },
        Math.min(6 * 3_600_000, base * 2 ** delivery.attempts),
        WEBHOOK_MAX_ATTEMPTS,
      );
      logger.warn(
        { deliveryId: delivery.id, endpointId: delivery.endpointId, attempt: delivery.attempts + 1, error: result.error },
        'webhook gagal dikirim, dicoba lagi / webhook delivery failed, will retry',
      );
    }),
  );
  return rows.length;
}

/** Runs deliverWebhooksOnce every `intervalMs` until stopped; a failing round is logged, never fatal. */
export function startWebhookSender(db: Db, logger: Logger, intervalMs = 1000): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const tick = async () => {
    if (stopped) return;
    running = deliverWebhooksOnce(db, logger).catch((error: unknown) =>
      logger.warn({ err: error }, 'putaran webhook gagal / webhook round failed'),
    );
    await running;
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
