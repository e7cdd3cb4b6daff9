import { useMemo } from 'react';
import { markdownToSafeHtml } from '../../common/markdown.js';

/** An article's Markdown, rendered and sanitized (common/markdown.ts). */
export function ArticleBody({ markdown, label }: { markdown: string; label: string }) {
  const html = useMemo(() => markdownToSafeHtml(markdown), [markdown]);
  // Sanitized by DOMPurify with an allow-list of tags and attributes.
  return <div className="article-body" role="document" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}
