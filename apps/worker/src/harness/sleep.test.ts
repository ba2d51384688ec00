import { getEventListeners } from 'node:events';
import { abortableSleep } from './sleep';

describe('abortableSleep', () => {
  it('leaves no abort listener behind after sleeps that ran to the end', async () => {
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 2000 }, () => abortableSleep(1, controller.signal)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves early when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('resolves at once on a signal that has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(abortableSleep(60_000, controller.signal)).resolves.toBeUndefined();
  });
});
