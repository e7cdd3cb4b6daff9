/** The portal's frame: the header (with who is signed in) and the page for the path. */
import { Suspense, useSyncExternalStore } from 'react';
import { PageLoading } from '../common/PageLoading.js';
import { SignedInUser } from '../features/session/index.js';
import { pageFor, pageForHash } from './routes.js';

const subscribeToHash = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function App({ path }: { path: string }) {
  const hash = useSyncExternalStore(subscribeToHash, () => window.location.hash);
  const page = (path.startsWith('/portal') ? pageForHash(hash) : null) ?? pageFor(path);
  return (
    <>
      <header className="portal-header">
        <a className="portal-brand" href="/portal/">
          Carebridge
        </a>
        <span className="portal-tagline">Patient portal</span>
        <SignedInUser />
      </header>
      <main className="portal-main">
        <Suspense fallback={<PageLoading />}>{page}</Suspense>
      </main>
    </>
  );
}
