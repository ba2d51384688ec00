import { Role } from '@betang/core';
import type { Feature } from '../features/feature';
import { mayOpen, navFor } from './navigation';

const page = () => Promise.resolve(() => null);
const FEATURES: Feature[] = [
  {
    id: 'a',
    routes: [{ path: '/', page }],
    nav: [
      { to: '/users', labelKey: 'nav.users', roles: [Role.InstitutionHead], order: 80 },
      { to: '/', labelKey: 'nav.dashboard', roles: [Role.InstitutionHead, Role.InstitutionStaff, Role.Operator], order: 10 },
    ],
  },
  { id: 'b', routes: [], nav: [{ to: '/audit', labelKey: 'nav.audit', roles: [Role.Operator], order: 90 }] },
];

describe('navigation', () => {
  it('should offer each role only its entries, in order', () => {
    expect(navFor([Role.InstitutionHead], FEATURES).map((item) => item.to)).toEqual(['/', '/users']);
    expect(navFor([Role.InstitutionStaff], FEATURES).map((item) => item.to)).toEqual(['/']);
    expect(navFor([Role.Operator], FEATURES).map((item) => item.to)).toEqual(['/', '/audit']);
  });

  it('should open a role-limited route only to holders of one of its roles', () => {
    const route = { roles: [Role.InstitutionHead, Role.Admin] };
    expect(mayOpen(route, [Role.InstitutionHead])).toBe(true);
    expect(mayOpen(route, [Role.Auditor, Role.Admin])).toBe(true);
    expect(mayOpen(route, [Role.InstitutionStaff])).toBe(false);
    expect(mayOpen(route, [])).toBe(false);
  });

  it('should open routes without roles, and public ones, to everyone', () => {
    expect(mayOpen({}, [Role.InstitutionStaff])).toBe(true);
    expect(mayOpen({ roles: [Role.Admin], public: true }, [Role.InstitutionStaff])).toBe(true);
  });
});
