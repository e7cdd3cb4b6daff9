/**
 * `/portal/#/library/<id>`: a health library article, as a patient opens it from a chat card — the
 * title, summary, review date, the body (Markdown, sanitized), a switch to the other language when a
 * translation exists, and related articles. Unknown, unpublished and staff-only articles get a
 * "not found" page.
 */
import { useEffect, useMemo, useRef } from 'react';
import { Alert } from '../../common/Alert.js';
import { useLibraryArticleQuery } from './library-api.js';
import { libraryProblem } from './library-problem.js';
import { markdownToSafeHtml } from './markdown.js';

const WORDS = {
  en: { loading: 'Loading the article…', reviewed: 'Reviewed by', nextReview: 'next review', related: 'Related articles', readIn: 'Read this in', back: 'Back to the portal', language: 'English' },
  es: { loading: 'Cargando el artículo…', reviewed: 'Revisado por', nextReview: 'próxima revisión', related: 'Artículos relacionados', readIn: 'Leer en', back: 'Volver al portal', language: 'español' },
} as const;

export function LibraryPage({ id }: { id: string }) {
  const { data: article, error, isLoading, isFetching } = useLibraryArticleQuery(id);
  const heading = useRef<HTMLHeadingElement>(null);
  const html = useMemo(() => (article ? markdownToSafeHtml(article.body) : ''), [article]);

  useEffect(() => {
    if (article) {
      document.title = `${article.title} · Carebridge`;
      heading.current?.focus();
    }
  }, [article]);

  if (isLoading || (isFetching && !article)) return <p role="status">{WORDS.en.loading}</p>;
  if (error || !article) {
    const problem = libraryProblem(error);
    if (problem.kind === 'not-found') {
      return (
        <section className="portal-card portal-narrow library-article" aria-labelledby="library-missing">
          <h1 id="library-missing">Article not found</h1>
          <p>This article does not exist or is no longer available. The link may be old or incomplete.</p>
          <p>
            <a href="/portal/">{WORDS.en.back}</a>
          </p>
        </section>
      );
    }
    return <Alert>{problem.message}</Alert>;
  }

  const words = WORDS[article.language];
  return (
    <article className="portal-card library-article" lang={article.language} aria-labelledby="library-title">
      {article.translations.length > 0 ? (
        <nav className="library-languages" aria-label={words.readIn}>
          {article.translations.map((t) => (
            <a key={t.id} href={`#/library/${encodeURIComponent(t.id)}`} hrefLang={t.language} lang={t.language}>
              {WORDS[t.language].readIn} {WORDS[t.language].language}
            </a>
          ))}
        </nav>
      ) : null}
      <h1 id="library-title" ref={heading} tabIndex={-1}>
        {article.title}
      </h1>
      <p className="library-summary">{article.summary}</p>
      <p className="library-meta">
        {words.reviewed} {article.owner} · {words.nextReview} {article.reviewDate}
      </p>
      {/* Sanitized by DOMPurify with an allow-list of tags and attributes (markdown.ts). */}
      <div className="library-body" dangerouslySetInnerHTML={{ __html: html }} />
      {article.related.length > 0 ? (
        <section aria-labelledby="library-related" className="library-related">
          <h2 id="library-related">{words.related}</h2>
          <ul>
            {article.related.map((r) => (
              <li key={r.id}>
                <a href={`#/library/${encodeURIComponent(r.id)}`}>{r.title}</a>
                <span> — {r.summary}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>
        <a href="/portal/">{words.back}</a>
      </p>
    </article>
  );
}
