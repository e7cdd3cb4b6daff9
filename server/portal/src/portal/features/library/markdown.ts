/**
 * An article's Markdown as safe HTML: `marked` renders, DOMPurify keeps an allow-list of tags and
 * attributes (no scripts, handlers, styles, frames, images or forms); links keep only http(s),
 * mailto, tel and same-site paths, and open in a new tab.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';

const SAFE_LINK = /^(?:https?:|mailto:|tel:|\/(?!\/)|#)/i;
let hooked = false;

export function markdownToSafeHtml(markdown: string): string {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName !== 'A') return;
      if (!SAFE_LINK.test(node.getAttribute('href') ?? '')) node.removeAttribute('href');
      node.setAttribute('rel', 'noopener noreferrer');
      node.setAttribute('target', '_blank');
    });
    hooked = true;
  }
  const html = marked.parse(markdown, { async: false, gfm: true });
  const safe = DOMPurify.sanitize(html, {
    ALLOWED_TAGS: ['h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'code', 'pre', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'hr', 'del'],
    ALLOWED_ATTR: ['href', 'title', 'rel', 'target'],
  });
  // Wide tables scroll sideways on a phone, inside a region the keyboard can reach.
  return safe.replace(/<table>/g, '<div class="library-table" role="region" aria-label="Table" tabindex="0"><table>').replace(/<\/table>/g, '</table></div>');
}
