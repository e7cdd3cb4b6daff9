/**
 * Markdown to safe HTML for the desk (article previews and the editor's live preview): `marked`
 * renders, DOMPurify removes anything that could run or load (scripts, handlers, styles, frames,
 * forms), links keep only http(s), mailto, tel and same-site paths.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';

const SAFE_LINK = /^(?:https?:|mailto:|tel:|\/(?!\/)|#)/i;

let hooked = false;
function purifier(): typeof DOMPurify {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') ?? '';
        if (!SAFE_LINK.test(href)) node.removeAttribute('href');
        node.setAttribute('rel', 'noopener noreferrer');
        node.setAttribute('target', '_blank');
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

/** The body as sanitized HTML (headings one level down, so an article sits under its page's h1/h2). */
export function markdownToSafeHtml(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true, breaks: false });
  return purifier().sanitize(html, {
    ALLOWED_TAGS: ['h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'code', 'pre', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'hr', 'del'],
    ALLOWED_ATTR: ['href', 'title', 'rel', 'target', 'align'],
  });
}
