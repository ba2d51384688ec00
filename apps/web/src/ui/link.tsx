import { NavLink, type NavLinkProps } from 'react-router';

type Props = Omit<NavLinkProps, 'end' | 'className' | 'style' | 'children'> & { className?: string; children?: NavLinkProps['children'] };

/**
 * An in-app link: a real <a href> (so it opens in a new tab too) that navigates without reload,
 * marked aria-current="page" on its own path only (never on a parent path's pages).
 */
export function Link({ className, ...rest }: Props) {
  return <NavLink {...rest} end className={() => className} />;
}
