/**
 * Writing an article (editors): its fields, the Markdown body in the shared code editor with a live
 * preview beside it, and "Save draft". A new article becomes a draft; an existing one gets a new
 * draft (or its open draft is saved again), which then goes through review before it is published.
 */
import { lazy, Suspense, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { CreateArticleRequest, KnowledgeArticle, KnowledgeAudience, KnowledgeLanguage } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { InlineError } from '../../common/InlineError.js';
import { hrefFor, navigate } from '../../common/router.js';
import { ArticleBody } from './ArticleBody.js';
import { useCreateArticleMutation, useGetArticleQuery, useGetVersionQuery, useSaveDraftMutation } from './knowledge-api.js';

// Monaco is megabytes: loaded when the editor first opens, not with the workspace.
const CodeEditor = lazy(() => import('../../common/CodeEditor.js').then((m) => ({ default: m.CodeEditor })));

interface Form {
  id: string;
  title: string;
  summary: string;
  audience: KnowledgeAudience;
  category: string;
  tags: string;
  conditions: string;
  language: KnowledgeLanguage;
  translationOf: string;
  reviewDate: string;
  owner: string;
  body: string;
}

const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
const EMPTY: Form = { id: '', title: '', summary: '', audience: 'patient', category: 'conditions', tags: '', conditions: '', language: 'en', translationOf: '', reviewDate: inAYear(), owner: '', body: '' };
const list = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

function formOf(article: KnowledgeArticle): Form {
  return {
    id: article.id,
    title: article.title,
    summary: article.summary,
    audience: article.audience,
    category: article.category,
    tags: article.tags.join(', '),
    conditions: article.conditions.map((c) => c.replace('http://hl7.org/fhir/sid/icd-10-cm|', 'icd10cm|').replace('http://snomed.info/sct|', 'snomed|')).join(', '),
    language: article.language,
    translationOf: article.translationOf ?? '',
    reviewDate: article.reviewDate,
    owner: article.owner,
    body: article.body,
  };
}

/** The server's field problems (`details.issues`) as "field: message" lines. */
function issuesOf(error: unknown): string[] {
  const issues = (error as { data?: { error?: { details?: { issues?: Array<{ path: string; message: string }> } } } })?.data?.error?.details?.issues;
  return Array.isArray(issues) ? issues.map((i) => `${i.path}: ${i.message}`) : [];
}

export function ArticleEditor({ articleId }: { articleId: string | null }) {
  const current = useGetArticleQuery(articleId ?? '', { skip: articleId === null });
  const pendingVersion = current.data?.pending?.version ?? null;
  // The open draft when there is one (the article endpoint shows the published version).
  const draft = useGetVersionQuery({ id: articleId ?? '', version: pendingVersion ?? 0 }, { skip: articleId === null || pendingVersion === null });
  const source = pendingVersion !== null ? draft.data : current.data;
  const [form, setForm] = useState<Form | null>(articleId === null ? EMPTY : null);
  const [create, creating] = useCreateArticleMutation();
  const [save, saving] = useSaveDraftMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const [issues, setIssues] = useState<string[]>([]);
  const ids = { id: useId(), title: useId(), summary: useId(), audience: useId(), category: useId(), tags: useId(), conditions: useId(), language: useId(), translationOf: useId(), reviewDate: useId(), owner: useId() };

  useEffect(() => {
    if (form === null && source) setForm(formOf(source));
  }, [form, source]);
  const preview = useMemo(() => form?.body ?? '', [form?.body]);

  if (articleId !== null && (current.isLoading || (pendingVersion !== null && draft.isLoading) || form === null)) {
    if (current.error || draft.error) return <InlineError message={requestErrorText(current.error ?? draft.error) ?? 'The article could not be loaded.'} />;
    return <p role="status">Loading the article…</p>;
  }
  if (form === null) return null;

  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setIssues([]);
    const body: CreateArticleRequest = {
      title: form.title,
      summary: form.summary,
      audience: form.audience,
      category: form.category.trim(),
      tags: list(form.tags),
      conditions: list(form.conditions),
      language: form.language,
      ...(form.translationOf.trim() ? { translationOf: form.translationOf.trim() } : {}),
      reviewDate: form.reviewDate,
      owner: form.owner,
      body: form.body,
    };
    const result =
      articleId === null
        ? await create({ ...body, ...(form.id.trim() ? { id: form.id.trim() } : {}) })
        : await save({ id: articleId, body: { ...body, ...(source ? { baseVersion: source.version } : {}) } });
    if ('error' in result) {
      setProblem(requestErrorText(result.error) ?? 'The draft could not be saved.');
      setIssues(issuesOf(result.error));
      return;
    }
    navigate(`knowledge/${result.data.id}`);
  };

  const heading = articleId === null ? 'New article' : `Edit “${source?.title ?? articleId}”`;
  return (
    <form className="card knowledge-editor" aria-labelledby="editor-title" onSubmit={(e) => void submit(e)}>
      <h2 id="editor-title">{heading}</h2>
      {articleId !== null ? (
        <p className="muted small">{pendingVersion !== null ? `Saving updates draft version ${pendingVersion}.` : 'Saving starts a new draft; the published version stays until the draft is published.'}</p>
      ) : null}
      <div className="knowledge-editor-fields">
        {articleId === null ? (
          <div className="field">
            <label htmlFor={ids.id}>Id (optional)</label>
            <input id={ids.id} className="input" value={form.id} maxLength={80} placeholder="made from the title" onChange={(e) => set({ id: e.target.value })} />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input id={ids.title} className="input" required maxLength={200} value={form.title} onChange={(e) => set({ title: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.summary}>Summary</label>
          <input id={ids.summary} className="input" required maxLength={400} value={form.summary} onChange={(e) => set({ summary: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.audience}>Written for</label>
          <select id={ids.audience} className="input" value={form.audience} onChange={(e) => set({ audience: e.target.value as KnowledgeAudience })}>
            <option value="patient">Patients</option>
            <option value="agent">Staff</option>
            <option value="both">Patients and staff</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.category}>Category</label>
          <input id={ids.category} className="input" required maxLength={40} value={form.category} onChange={(e) => set({ category: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.language}>Language</label>
          <select id={ids.language} className="input" value={form.language} onChange={(e) => set({ language: e.target.value as KnowledgeLanguage })}>
            <option value="en">English</option>
            <option value="es">Spanish</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.translationOf}>Translation of (article id)</label>
          <input id={ids.translationOf} className="input" maxLength={80} value={form.translationOf} onChange={(e) => set({ translationOf: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.tags}>Tags (comma-separated)</label>
          <input id={ids.tags} className="input" value={form.tags} onChange={(e) => set({ tags: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.conditions}>Condition codes (comma-separated, e.g. icd10cm|I10)</label>
          <input id={ids.conditions} className="input" value={form.conditions} onChange={(e) => set({ conditions: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.reviewDate}>Review by</label>
          <input id={ids.reviewDate} type="date" className="input" required value={form.reviewDate} onChange={(e) => set({ reviewDate: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.owner}>Owner</label>
          <input id={ids.owner} className="input" required maxLength={120} value={form.owner} placeholder="e.g. Nursing Supervisor" onChange={(e) => set({ owner: e.target.value })} />
        </div>
      </div>
      <div className="knowledge-editor-body">
        <div>
          <Suspense fallback={<p role="status">Loading the editor…</p>}>
            <CodeEditor label="Article text (Markdown)" language="markdown" value={form.body} onChange={(body) => set({ body })} height={360} />
          </Suspense>
        </div>
        <section className="knowledge-preview-pane" aria-label="Preview">
          <p className="muted small">Preview</p>
          {preview.trim() ? <ArticleBody markdown={preview} label="Preview of the article" /> : <p className="muted">The preview appears as you write.</p>}
        </section>
      </div>
      <InlineError message={problem} />
      {issues.length > 0 ? (
        <ul className="inline-error small">
          {issues.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      ) : null}
      <div className="knowledge-editor-actions">
        <button type="submit" className="button primary" disabled={creating.isLoading || saving.isLoading}>
          {creating.isLoading || saving.isLoading ? 'Saving…' : 'Save draft'}
        </button>
        <a className="button ghost" href={hrefFor(articleId ? `knowledge/${articleId}` : 'knowledge')}>
          Cancel
        </a>
      </div>
    </form>
  );
}
