import { agreementScopeGaps, scopeNamesTemplate } from './agreement-scope';

const subject = { application: { id: 'app-1', name: 'SIMPEG' }, template: { id: 'ubuntu-24.04', name: 'Ubuntu 24.04 LTS' } };

describe('agreementScopeGaps', () => {
  it('should cover what the agreement lists and names', () => {
    expect(agreementScopeGaps('000.1/001', { applicationIds: ['app-1'], osTemplates: ['ubuntu 24.04  lts'] }, subject)).toEqual([]);
  });

  it('should name an unlisted application and an unnamed template, in both languages', () => {
    const gaps = agreementScopeGaps('000.1/001', { applicationIds: ['app-2'], osTemplates: ['Debian 12'] }, subject);
    expect(gaps.map((g) => [g.kind, g.subject])).toEqual([
      ['application', 'SIMPEG'],
      ['template', 'Ubuntu 24.04 LTS'],
    ]);
    expect(gaps[1]!.message.id).toMatch(/tercantum: Debian 12/);
    expect(gaps[1]!.message.en).toMatch(/named: Debian 12/);
  });

  it('should cover everything when the agreement records no list', () => {
    expect(agreementScopeGaps('x', { applicationIds: [], osTemplates: null }, subject)).toEqual([]);
  });

  it('should match a template by its catalog id too, and not by a prefix', () => {
    expect(scopeNamesTemplate(['ubuntu-24.04'], subject.template)).toBe(true);
    expect(scopeNamesTemplate(['Ubuntu'], subject.template)).toBe(false);
  });

  it('should match a catalog name with a qualifier in parentheses, and an id with hyphens', () => {
    const debian = { id: 'debian-12', name: 'Debian 12 (Bookworm)' };
    expect(scopeNamesTemplate(['Debian 12'], debian)).toBe(true);
    expect(scopeNamesTemplate(['debian 12'], { id: 'x', name: 'Debian-12' })).toBe(true);
    expect(scopeNamesTemplate(['Debian 11'], debian)).toBe(false);
    expect(scopeNamesTemplate(['Debian'], debian)).toBe(false);
  });
});
