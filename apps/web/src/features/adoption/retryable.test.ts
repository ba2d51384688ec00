import { retryable } from './retryable';

describe('retryable: when the request page offers "Ulangi"', () => {
  const run = (kind: string | null, status: string) => ({ kind, status });

  it('should offer a failed provisioning or destroy of a failed request', () => {
    expect(retryable({ status: 'failed' }, [run('provision', 'failed')])).toBe(true);
    expect(retryable({ status: 'failed' }, [run('provision', 'succeeded'), run('decommission', 'failed')])).toBe(true);
  });

  it('should offer the failed marking of an adopted VM while its request is live', () => {
    expect(retryable({ status: 'active' }, [run('adopt', 'failed')])).toBe(true);
    expect(retryable({ status: 'stopped' }, [run('adopt', 'failed')])).toBe(true);
    expect(retryable({ status: 'decommissioned' }, [run('adopt', 'failed')])).toBe(false);
  });

  it('should not offer anything else: a run that did not fail, a superseded failure, a failed power action', () => {
    expect(retryable({ status: 'active' }, [])).toBe(false);
    expect(retryable({ status: 'active' }, [run('adopt', 'failed'), run('adopt', 'queued')])).toBe(false);
    expect(retryable({ status: 'active' }, [run('adopt', 'succeeded'), run('stop', 'failed')])).toBe(false);
    expect(retryable({ status: 'active' }, [run('provision', 'failed')])).toBe(false);
    expect(retryable({ status: 'failed' }, [run(null, 'failed')])).toBe(false);
  });
});
