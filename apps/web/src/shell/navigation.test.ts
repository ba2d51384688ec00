import { Role } from '@betang/core';
import type { Feature } from '../features/feature';
import { navFor, resolveRoute } from './navigation';

const Page = () => null;
const FEATURES: Feature[] = [
  {
    id: 'a',
    routes: [
      { path: '/', page: Page },
      { path: '/users', page: Page, roles: [Role.InstitutionHead] },
      { path: '/verify/:code', page: Page, public: true },
    ],
    nav: [
      { to: '/users', labelKey: 'nav.users', roles: [Role.InstitutionHead], order: 80 },
      { to: '/', labelKey: 'nav.dashboard', roles: [Role.InstitutionHead, Role.InstitutionStaff, Role.Operator], order: 10 },
    ],
  },
  { id: 'b', routes: [{ path: '/institutions/:id', page: Page, roles: [Role.Operator] }], nav: [{ to: '/audit', labelKey: 'nav.audit', roles: [Role.Operator], order: 90 }] },
];

describe('navigation', () => {
  it('should offer each role only its entries, in order', () => {
    expect(navFor([Role.InstitutionHead], FEATURES).map((item) => item.to)).toEqual(['/', '/users']);
    expect(navFor([Role.InstitutionStaff], FEATURES).map((item) => item.to)).toEqual(['/']);
    expect(navFor([Role.Operator], FEATURES).map((item) => item.to)).toEqual(['/', '/audit']);
  });

  it('should resolve routes the roles may open, with parameters', () => {
    expect(resolveRoute('/institutions/x1', [Role.Operator], FEATURES)?.params).toEqual({ id: 'x1' });
    expect(resolveRoute('/users', [Role.InstitutionHead], FEATURES)?.route.path).toBe('/users');
  });

  it('should refuse routes of other roles and unknown paths alike', () => {
    expect(resolveRoute('/users', [Role.InstitutionStaff], FEATURES)).toBeUndefined();
    expect(resolveRoute('/institutions/x1', [Role.InstitutionHead], FEATURES)).toBeUndefined();
    expect(resolveRoute('/nowhere', [Role.Operator], FEATURES)).toBeUndefined();
  });

  it('should open only public routes when signed out', () => {
    expect(resolveRoute('/verify/ABC123', null, FEATURES)?.params).toEqual({ code: 'ABC123' });
    expect(resolveRoute('/', null, FEATURES)).toBeUndefined();
    expect(resolveRoute('/verify/ABC123', [Role.InstitutionStaff], FEATURES)?.route.public).toBe(true);
  });
});
