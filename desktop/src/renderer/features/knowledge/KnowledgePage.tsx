/**
 * The Knowledge workspace: search and browse articles by category, audience and language, and read
 * one (`#/knowledge/<id>`). Editors (supervisors, admins) also write: a new article or a new draft
 * in a Markdown editor with a live preview (`#/knowledge/new`, `#/knowledge/<id>/edit`), submit it
 * for review and publish it, read and restore older versions, and see which articles are due for
 * review.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { KnowledgeArticle, KnowledgeArticleSummary, KnowledgeAudience, KnowledgeLanguage, KnowledgeListQuery } from '@carebridge/server/contracts';
import { KNOWLEDGE_EDITOR_ROLES } from '@carebridge/server/contracts';
import { useAppSelector } from '../../app/hooks.js';
import { selectUser } from '../../app/session/session-slice.js';
import { requestErrorText } from '../../api/request-error.js';
import { InlineError } from '../../common/InlineError.js';
import { hrefFor, useRoute } from '../../common/router.js';
import { ArticleBody } from './ArticleBody.js';
import { ArticleEditor } from './ArticleEditor.js';
import {
  useGetArticleQuery,
  useGetReviewDueQuery,
  useGetVersionQuery,
  useGetVersionsQuery,
  useListArticlesQuery,
  usePublishArticleMutation,
  useRestoreVersionMutation,
  useSearchKnowledgeQuery,
  useSubmitArticleMutation,
} from './knowledge-api.js';
import { Snippet } from './Snippet.js';

export const AUDIENCE_LABELS: Record<KnowledgeAudience, string> = { patient: 'Patients', agent: 'Staff', both: 'Patients and staff' };
export const LANGUAGE_LABELS: Record<KnowledgeLanguage, string> = { en: 'English', es: 'Spanish' };
const STATUS_LABELS: Record<string, string> = { draft: 'Draft', review: 'In review', published: 'Published', superseded: 'Superseded' };
const categoryLabel = (category: string) => category.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

export default function KnowledgePage() {
  const route = useRoute();
  const user = useAppSelector(selectUser);
  const editor = (KNOWLEDGE_EDITOR_ROLES as readonly string[]).includes(user?.role ?? '');
  const [id, action] = [route[1], route[2]];

  let main;
  if (id === 'new' && editor) main = <ArticleEditor key="new" articleId={null} />;
  else if (id === 'review-due' && editor) main = <ReviewDue />;
  else if (id && action === 'edit' && editor) main = <ArticleEditor key={`edit-${id}`} articleId={id} />;
  else if (id && action === 'versions' && editor) main = <Versions id={id} version={route[3] ? Number(route[3]) : null} />;
  else if (id && id !== 'new' && id !== 'review-due') main = <ArticleView id={id} editor={editor} />;
  else main = <Browse editor={editor} />;

  return (
    <section className="workspace knowledge" aria-labelledby="workspace-title">
      <header className="workspace-header knowledge-header">
        <div>
          <h1 id="workspace-title">Knowledge</h1>
          <p className="muted">Search and read the health library and the staff guides{editor ? '; write, review and publish articles' : ''}.</p>
        </div>
        <nav aria-label="Knowledge" className="knowledge-nav">
          <a className="button" href={hrefFor('knowledge')}>
            Browse
          </a>
          {editor ? (
            <>
              <a className="button" href={hrefFor('knowledge/review-due')}>
                Review due
              </a>
              <a className="button primary" href={hrefFor('knowledge/new')}>
                New article
              </a>
            </>
          ) : null}
        </nav>
      </header>
      {main}
    </section>
  );
}

interface BrowseFilters {
  q: string;
  category: string;
  audience: '' | KnowledgeAudience;
  language: '' | KnowledgeLanguage;
  status: '' | 'draft' | 'review';
}

function Browse({ editor }: { editor: boolean }) {
  const [draft, setDraft] = useState<BrowseFilters>({ q: '', category: '', audience: '', language: '', status: '' });
  const [applied, setApplied] = useState(draft);
  const ids = { q: useId(), category: useId(), audience: useId(), language: useId(), status: useId() };
  const choose = (change: Partial<BrowseFilters>) => {
    const next = { ...draft, ...change };
    setDraft(next);
    setApplied(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied(draft);
  };
  const filters = {
    ...(applied.audience ? { audience: applied.audience } : {}),
    ...(applied.language ? { language: applied.language } : {}),
    ...(applied.category ? { category: applied.category } : {}),
  };
  const searching = applied.q.trim() !== '';
  const search = useSearchKnowledgeQuery({ q: applied.q.trim(), limit: 25, ...filters }, { skip: !searching });
  const listQuery: KnowledgeListQuery = { ...filters, ...(applied.status ? { status: applied.status } : {}) };
  const list = useListArticlesQuery(listQuery, { skip: searching });
  const categories = useListArticlesQuery({}).data?.categories ?? [];

  return (
    <div className="knowledge-browse">
      <form role="search" aria-label="Search articles" className="card knowledge-filters" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={ids.q}>Words</label>
          <input id={ids.q} type="search" className="input" maxLength={200} value={draft.q} placeholder="e.g. water pill, cancel appointment" onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.category}>Category</label>
          <select id={ids.category} className="input" value={draft.category} onChange={(e) => choose({ category: e.target.value })}>
            <option value="">All</option>
            {categories.map((c) => (
              <option key={c.category} value={c.category}>
                {categoryLabel(c.category)} ({c.count})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.audience}>Written for</label>
          <select id={ids.audience} className="input" value={draft.audience} onChange={(e) => choose({ audience: e.target.value as BrowseFilters['audience'] })}>
            <option value="">Anyone</option>
            <option value="patient">Patients</option>
            <option value="agent">Staff</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.language}>Language</label>
          <select id={ids.language} className="input" value={draft.language} onChange={(e) => choose({ language: e.target.value as BrowseFilters['language'] })}>
            <option value="">Any</option>
            <option value="en">English</option>
            <option value="es">Spanish</option>
          </select>
        </div>
        {editor ? (
          <div className="field">
            <label htmlFor={ids.status}>Status</label>
            <select id={ids.status} className="input" value={draft.status} onChange={(e) => choose({ status: e.target.value as BrowseFilters['status'] })} disabled={searching}>
              <option value="">Published</option>
              <option value="draft">Drafts</option>
              <option value="review">In review</option>
            </select>
          </div>
        ) : null}
        <button type="submit" className="button primary">
          Search
        </button>
      </form>
      {searching ? (
        <section aria-label="Search results" aria-busy={search.isFetching}>
          {search.isFetching && !search.data ? <p role="status">Searching…</p> : null}
          <InlineError message={search.error ? (requestErrorText(search.error) ?? 'The search failed.') : null} />
          {search.data?.correctedQuery ? <p className="muted">Showing results for “{search.data.correctedQuery}”.</p> : null}
          {search.data && search.data.results.length === 0 ? <p role="status">No article matches “{applied.q.trim()}”.</p> : null}
          <ul className="knowledge-list">
            {search.data?.results.map((r) => (
              <li key={r.id} className="card knowledge-list-item">
                <a href={hrefFor(`knowledge/${r.id}`)} className="knowledge-list-title">
                  {r.title}
                </a>
                <span className="muted small">
                  {categoryLabel(r.category)} · {AUDIENCE_LABELS[r.audience]} · {LANGUAGE_LABELS[r.language]}
                </span>
                <Snippet parts={r.snippet} />
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <section aria-label="Articles" aria-busy={list.isFetching}>
          {list.isFetching && !list.data ? <p role="status">Loading articles…</p> : null}
          <InlineError message={list.error ? (requestErrorText(list.error) ?? 'The articles could not be loaded.') : null} />
          {list.data && list.data.articles.length === 0 ? <p role="status">No articles with these filters.</p> : null}
          <ul className="knowledge-list">
            {list.data?.articles.map((a) => (
              <ArticleListItem key={a.id} article={a} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function ArticleListItem({ article }: { article: KnowledgeArticleSummary }) {
  return (
    <li className="card knowledge-list-item">
      <a href={hrefFor(`knowledge/${article.id}`)} className="knowledge-list-title">
        {article.title}
      </a>
      <span className="muted small">
        {categoryLabel(article.category)} · {AUDIENCE_LABELS[article.audience]} · {LANGUAGE_LABELS[article.language]}
        {article.status !== 'published' ? ` · ${STATUS_LABELS[article.status]} (version ${article.version})` : ''}
      </span>
      <span className="small">{article.summary}</span>
    </li>
  );
}

function ArticleView({ id, editor }: { id: string; editor: boolean }) {
  const { data: article, isLoading, error } = useGetArticleQuery(id);
  const [submit, submitting] = useSubmitArticleMutation();
  const [publish, publishing] = usePublishArticleMutation();
  const [status, setStatus] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (isLoading) return <p role="status">Loading the article…</p>;
  if (error || !article) return <InlineError message={requestErrorText(error) ?? 'The article could not be loaded.'} />;

  const act = async (what: 'submit' | 'publish') => {
    setProblem(null);
    setStatus(null);
    const result = what === 'submit' ? await submit(id) : await publish(id);
    if ('error' in result) setProblem(requestErrorText(result.error) ?? 'That did not work.');
    else setStatus(what === 'submit' ? `Version ${result.data.version} is waiting for review.` : `Version ${result.data.version} is published.`);
  };

  return (
    <article className="card knowledge-article" aria-labelledby="article-title">
      <ArticleHeader article={article} />
      {editor ? (
        <div className="knowledge-editor-actions" role="group" aria-label="Editing">
          <a className="button" href={hrefFor(`knowledge/${id}/edit`)}>
            {article.pending ? `Edit draft (version ${article.pending.version})` : 'Edit'}
          </a>
          {article.pending?.status === 'draft' ? (
            <button type="button" className="button" disabled={submitting.isLoading} onClick={() => void act('submit')}>
              Submit for review
            </button>
          ) : null}
          {article.pending?.status === 'review' ? (
            <button type="button" className="button primary" disabled={publishing.isLoading} onClick={() => void act('publish')}>
              Publish version {article.pending.version}
            </button>
          ) : null}
          <a className="button ghost" href={hrefFor(`knowledge/${id}/versions`)}>
            Versions
          </a>
        </div>
      ) : null}
      {status ? (
        <p className="ok" role="status">
          {status}
        </p>
      ) : null}
      <InlineError message={problem} />
      {editor && article.pending && article.publishedVersion !== null ? (
        <p className="muted small">Showing the published version {article.publishedVersion}. The draft is in the editor and under Versions.</p>
      ) : null}
      <ArticleBody markdown={article.body} label={`${article.title}: the article`} />
      {article.related.length > 0 ? (
        <section aria-labelledby="related-title" className="knowledge-related">
          <h2 id="related-title">Related articles</h2>
          <ul>
            {article.related.map((r) => (
              <li key={r.id}>
                <a href={hrefFor(`knowledge/${r.id}`)}>{r.title}</a> <span className="muted small">{r.summary}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

function ArticleHeader({ article }: { article: KnowledgeArticle }) {
  return (
    <header className="knowledge-article-header">
      <h2 id="article-title">{article.title}</h2>
      <p>{article.summary}</p>
      <p className="muted small">
        {STATUS_LABELS[article.status]} · version {article.version} · {categoryLabel(article.category)} · for {AUDIENCE_LABELS[article.audience].toLowerCase()} · {LANGUAGE_LABELS[article.language]} · owner {article.owner} · review by{' '}
        {article.reviewDate}
      </p>
      {article.tags.length > 0 ? <p className="muted small">Tags: {article.tags.join(', ')}</p> : null}
      {article.translations.length > 0 ? (
        <p className="small">
          Also in:{' '}
          {article.translations.map((t, i) => (
            <span key={t.id}>
              {i > 0 ? ', ' : ''}
              <a href={hrefFor(`knowledge/${t.id}`)} hrefLang={t.language} lang={t.language}>
                {t.title}
              </a>{' '}
              ({LANGUAGE_LABELS[t.language]})
            </span>
          ))}
        </p>
      ) : null}
    </header>
  );
}

function Versions({ id, version }: { id: string; version: number | null }) {
  const { data, isLoading, error } = useGetVersionsQuery(id);
  const [restore, restoring] = useRestoreVersionMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const shown = useGetVersionQuery({ id, version: version ?? 0 }, { skip: version === null });
  useEffect(() => {
    setStatus(null);
    setProblem(null);
  }, [version]);
  if (isLoading) return <p role="status">Loading the versions…</p>;
  if (error || !data) return <InlineError message={requestErrorText(error) ?? 'The versions could not be loaded.'} />;

  const restoreVersion = async (v: number) => {
    setProblem(null);
    const result = await restore({ id, version: v });
    if ('error' in result) setProblem(requestErrorText(result.error) ?? 'The version could not be restored.');
    else setStatus(`Version ${v} restored as draft ${result.data.version}: review and publish it to make it live.`);
  };

  return (
    <div className="knowledge-versions">
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">
          Versions of <a href={hrefFor(`knowledge/${id}`)}>{id}</a>
        </h2>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Title</th>
              <th scope="col">From</th>
              <th scope="col">Saved</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.versions.map((v) => (
              <tr key={v.version} aria-current={v.version === version ? 'true' : undefined}>
                <td>{v.version}</td>
                <td>{STATUS_LABELS[v.status]}</td>
                <td>{v.title}</td>
                <td>{v.source === 'file' ? 'File' : v.source === 'restore' ? `Restore of ${v.restoredFrom}` : (v.createdBy ?? 'Editor')}</td>
                <td>{new Date(v.createdAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}</td>
                <td className="row-actions">
                  <a className="button small" href={hrefFor(`knowledge/${id}/versions/${v.version}`)} aria-label={`View version ${v.version}`}>
                    View
                  </a>
                  {v.status !== 'draft' && v.status !== 'review' ? (
                    <button type="button" className="button small" disabled={restoring.isLoading} onClick={() => void restoreVersion(v.version)} aria-label={`Restore version ${v.version}`}>
                      Restore
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {status ? (
          <p className="ok" role="status">
            {status}
          </p>
        ) : null}
        <InlineError message={problem} />
      </section>
      {version !== null ? (
        <article className="card knowledge-article" aria-label={`Version ${version}`}>
          {shown.isFetching && !shown.data ? <p role="status">Loading version {version}…</p> : null}
          <InlineError message={shown.error ? (requestErrorText(shown.error) ?? 'The version could not be loaded.') : null} />
          {shown.data ? (
            <>
              <ArticleHeader article={shown.data} />
              <ArticleBody markdown={shown.data.body} label={`Version ${version}: the article`} />
            </>
          ) : null}
        </article>
      ) : null}
    </div>
  );
}

function ReviewDue() {
  const { data, isLoading, error } = useGetReviewDueQuery();
  if (isLoading) return <p role="status">Loading…</p>;
  if (error || !data) return <InlineError message={requestErrorText(error) ?? 'The list could not be loaded.'} />;
  return (
    <section className="card" aria-labelledby="review-due-title">
      <h2 id="review-due-title">Due for review</h2>
      <p className="muted">Published articles whose review date has passed or comes within {data.withinDays} days.</p>
      {data.items.length === 0 ? (
        <p role="status">Nothing is due for review.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Article</th>
              <th scope="col">Language</th>
              <th scope="col">Owner</th>
              <th scope="col">Review by</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((item) => (
              <tr key={item.id}>
                <td>
                  <a href={hrefFor(`knowledge/${item.id}`)}>{item.title}</a>
                </td>
                <td>{LANGUAGE_LABELS[item.language]}</td>
                <td>{item.owner}</td>
                <td className={item.overdue ? 'inline-error' : undefined}>
                  {item.reviewDate} ({item.overdue ? `${-item.daysLeft} days overdue` : item.daysLeft === 0 ? 'today' : `in ${item.daysLeft} days`})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

