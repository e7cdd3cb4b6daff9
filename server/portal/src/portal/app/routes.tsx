/**
 * The portal's pages by path: the server answers /portal/* and /survey/<token> with the portal's
 * index.html, and the first route whose pattern matches renders. The landing page is in the first
 * bundle; every other page loads lazily, in its own chunk, through its feature's index.ts.
 */
import { lazy, type ReactNode } from 'react';
import { HomePage } from '../features/home/index.js';

export interface PortalRoute {
  id: string;
  path: RegExp;
  render(match: RegExpExecArray): ReactNode;
}

const LibraryPage = lazy(() => import('../features/library/index.js').then((m) => ({ default: m.LibraryPage })));
const SurveyPage = lazy(() => import('../features/survey/index.js').then((m) => ({ default: m.SurveyPage })));

export const ROUTES: readonly PortalRoute[] = [
  // The follow-up survey a link opens (no sign-in: the token is the credential).
  { id: 'survey', path: /^\/survey\/([^/]+)\/?$/, render: ([, token]) => <SurveyPage token={decodeURIComponent(token!)} /> },
  // /portal/ and anything else under it.
  { id: 'home', path: /^/, render: () => <HomePage /> },
];

export function pageFor(path: string): ReactNode {
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (match) return route.render(match);
  }
  return null;
}

/** Pages under /portal/ addressed by the hash (links in chat cards: `/portal/#/library/<id>`), or null. */
export function pageForHash(hash: string): ReactNode {
  const library = /^#\/library\/([^/?#]+)\/?$/.exec(hash);
  if (library) {
    let id = library[1]!;
    try {
      id = decodeURIComponent(id);
    } catch {
      // A malformed escape: the id as written, which the server will not know.
    }
    return <LibraryPage key={id} id={id} />;
  }
  return null;
}
