import { matchPath } from './match-path';

describe('matchPath', () => {
  it('should match exactly and capture decoded parameters', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/institutions/:id', '/institutions/a%20b')).toEqual({ id: 'a b' });
    expect(matchPath('/institutions/:id', '/institutions/x/')).toEqual({ id: 'x' });
  });

  it('should not match prefixes, longer paths or other literals', () => {
    expect(matchPath('/users', '/users/extra')).toBeNull();
    expect(matchPath('/institutions/:id', '/institutions')).toBeNull();
    expect(matchPath('/account/tokens', '/account/security')).toBeNull();
  });

  it('should refuse malformed escapes instead of throwing', () => {
    expect(matchPath('/institutions/:id', '/institutions/%E0%A4%A')).toBeNull();
  });
});
