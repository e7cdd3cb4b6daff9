/** What a page shows while its code loads (lazy pages: a moment on a slow connection). */
export function PageLoading() {
  return <p role="status">Loading…</p>;
}
