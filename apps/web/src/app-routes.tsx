import type { ComponentType } from 'react';
import { createBrowserRouter, Outlet, ScrollRestoration, type RouteObject } from 'react-router';
import { FEATURES } from './features';
import type { FeatureRoute, RouteServices } from './features/feature';
import { NotFoundPage } from './features/not-found/not-found.page';
import { useMe } from './session/session-context';
import { mayOpen } from './shell/navigation';
import { SignedInLayout } from './shell/signed-in-layout';
import { Loading } from './ui/alert';

function RootLayout() {
  return (
    <>
      <ScrollRestoration />
      <Outlet />
    </>
  );
}

/** A signed-in page that checks the roles first (the layout above guarantees a session). */
function gated(Page: ComponentType, route: FeatureRoute): ComponentType {
  return function RoleGate() {
    const me = useMe();
    return mayOpen(route, me.roles) ? <Page /> : <NotFoundPage />;
  };
}

/** A public page, outside the shell. */
function publicScreen(Page: ComponentType): ComponentType {
  return function PublicScreen() {
    return (
      <main id="main" className="public">
        <Page />
      </main>
    );
  };
}

function toRouteObject(route: FeatureRoute, services: RouteServices): RouteObject {
  const { prefetch } = route;
  return {
    path: route.path,
    loader: prefetch
      ? ({ params }) => {
          prefetch(services, params);
          return null;
        }
      : undefined,
    lazy: async () => {
      const Page = await route.page();
      return { Component: route.public ? publicScreen(Page) : gated(Page, route) };
    },
  };
}

/**
 * The app's routes, built from the feature registry: public screens at the top, every other
 * screen under the signed-in layout, anything else the not-found page. The paths are the
 * registry's, unchanged, so bookmarks and the links in e-mails keep working.
 */
export function createAppRouter(services: RouteServices) {
  const routes = FEATURES.flatMap((feature) => feature.routes);
  return createBrowserRouter([
    {
      Component: RootLayout,
      HydrateFallback: Loading,
      children: [
        ...routes.filter((route) => route.public).map((route) => toRouteObject(route, services)),
        {
          Component: SignedInLayout,
          children: [
            { path: '/login' },
            ...routes.filter((route) => !route.public).map((route) => toRouteObject(route, services)),
            { path: '*', Component: NotFoundPage },
          ],
        },
      ],
    },
  ]);
}
