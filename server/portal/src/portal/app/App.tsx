/** The portal's frame: the header (with who is signed in) and the page for the path. */
import { Suspense } from 'react';
import { PageLoading } from '../common/PageLoading.js';
import { SignedInUser } from '../features/session/index.js';
import { pageFor } from './routes.js';

export function App({ path }: { path: string }) {
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
        <Suspense fallback={<PageLoading />}>{pageFor(path)}</Suspense>
      </main>
    </>
  );
}
