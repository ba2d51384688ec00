import { resetLinkOf } from './password-reset';

describe('resetLinkOf', () => {
  const secret = 'A'.repeat(43);

  it('should put the secret in the fragment of the web reset page under PUBLIC_URL, with or without a trailing slash or a path prefix', () => {
    expect(resetLinkOf('https://betang.kalteng.go.id', secret)).toBe(`https://betang.kalteng.go.id/reset-password#token=${secret}`);
    expect(resetLinkOf('https://betang.kalteng.go.id/', secret)).toBe(`https://betang.kalteng.go.id/reset-password#token=${secret}`);
    expect(resetLinkOf('https://portal.kalteng.go.id/betang//', secret)).toBe(
      `https://portal.kalteng.go.id/betang/reset-password#token=${secret}`,
    );
  });

  it('should keep the secret out of what a browser sends to a server (path and query)', () => {
    const url = new URL(resetLinkOf('https://betang.kalteng.go.id', secret));
    expect(url.pathname + url.search).not.toContain(secret);
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe(secret);
  });
});
