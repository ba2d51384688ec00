import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/use-i18n';
import { useLocation, useNavigate } from 'react-router';
import { Link } from '../ui/link';
import { isConsoleUser, useMe, useSession } from '../session/session-context';
import { NotificationBell } from '../features/notifications/notification-bell';
import { LanguageSwitch } from './language-switch';
import { navFor } from './navigation';
import { NavBadges, badgeCount } from '../features/cockpit/badges';
import { useLiveOperatorDashboard, useOperatorDashboard } from '../features/cockpit/use-operator-dashboard';

/**
 * The signed-in frame: skip link, header (area, user, language, sign out), role-aware navigation
 * (folded behind a menu button on phones) and the page. Institution users get the portal, data-center staff the operator console, whose
 * navigation carries the dashboard's counts as badges, kept live.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const me = useMe();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const console = isConsoleUser(me.roles);
  const items = navFor(me.roles);
  useLiveOperatorDashboard();
  const dashboard = useOperatorDashboard().data;
  // On a phone the menu folds behind one button so the page starts at the top; it folds again after each move.
  const [menuOpen, setMenuOpen] = useState(false);
  // The badges are inside the folded menu: their sum stays in sight beside the button.
  const waiting = dashboard
    ? [...new Set(items.flatMap((item) => item.badges ?? []))].reduce((sum, badge) => sum + badgeCount(badge, dashboard), 0)
    : 0;
  const { pathname } = useLocation();
  useEffect(() => setMenuOpen(false), [pathname]);

  async function onSignOut() {
    await signOut().catch(() => undefined);
    void navigate('/login', { replace: true });
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <div className="topbar-brand">
          <span className="brand">Betang</span>
          <span className="area">{console ? t('shell.console') : t('shell.portal')}</span>
        </div>
        <div className="topbar-user">
          <span className="user-name">
            {me.user.name}
            <span className="muted small" title={me.institution?.name}>
              {me.institution ? me.institution.name : t('shell.dataCenter')}
            </span>
          </span>
          <NotificationBell />
          <LanguageSwitch />
          <button type="button" className="button" onClick={onSignOut}>
            {t('shell.signOut')}
          </button>
        </div>
      </header>
      <div className="shell-body">
        <nav className={menuOpen ? 'sidenav open' : 'sidenav'} aria-label={t('shell.navigation')}>
          <button
            type="button"
            className="button menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="main-menu"
            onClick={() => setMenuOpen((open) => !open)}
          >
            {menuOpen ? t('guidance.menuClose') : t('guidance.menuOpen')}
          </button>
          {waiting > 0 && !menuOpen ? (
            <span className="menu-attention" data-testid="menu-attention">
              {t('guidance.menuAttention', { count: waiting })}
            </span>
          ) : null}
          <ul id="main-menu">
            {items.map((item) => (
              <li key={item.to}>
                <Link to={item.to}>
                  {t(item.labelKey)}
                  {item.badges ? <NavBadges badges={item.badges} dashboard={dashboard} /> : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
