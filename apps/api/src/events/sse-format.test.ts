import { formatSseComment, formatSseEvent, formatSseRetry, parseLastEventId } from './sse-format';

describe('SSE framing', () => {
  it('should put a JSON payload with newlines on a single data line', () => {
    const frame = formatSseEvent('run.step', 42, { detail: 'baris 1\nbaris 2\r\n\n' });
    expect(frame).toBe('event: run.step\nid: 42\ndata: {"detail":"baris 1\\nbaris 2\\r\\n\\n"}\n\n');
    expect(frame.split('\n\n')).toHaveLength(2);
  });

  it('should omit the id line when there is no id and keep comments on one line', () => {
    expect(formatSseEvent('snapshot', undefined, 1)).toBe('event: snapshot\ndata: 1\n\n');
    expect(formatSseComment('a\nevent: fake\n\nb')).toBe(': a event: fake b\n\n');
    expect(formatSseRetry(2500.7)).toBe('retry: 2500\n\n');
  });

  it('should accept only plain decimal event ids', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('  ')).toBeUndefined();
    expect(parseLastEventId('17')).toBe(17);
    expect(parseLastEventId(' 0 ')).toBe(0);
    for (const hostile of ['-1', '1e3', '0x10', '12; DROP TABLE request_events', '１２', '99999999999999999', 'NaN', '1.5']) {
      expect(parseLastEventId(hostile)).toBeNull();
    }
  });
});
