/**
 * Article files of `knowledge-base/`: Markdown with YAML front matter (format: knowledge-base/README.md),
 * parsed with `yaml` and validated with `articleFrontMatterSchema`. A file that fails says which file
 * and which field, and is skipped; the rest import.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { articleFrontMatterSchema, KNOWLEDGE_LIMITS, type ArticleFrontMatter } from '../contracts/knowledge.js';

export interface ArticleFile {
  file: string;
  frontMatter: ArticleFrontMatter;
  body: string;
  /** Of the file's text (line endings normalized): a changed hash is a changed article. */
  hash: string;
}

export interface FileProblem {
  file: string;
  /** The front-matter field at fault (`front matter` when it cannot be read at all, `body`). */
  field: string;
  message: string;
}

export type ParsedFile = { ok: true; article: ArticleFile } | { ok: false; problem: FileProblem };

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;

export function parseArticleFile(file: string, text: string): ParsedFile {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const fail = (field: string, message: string): ParsedFile => ({ ok: false, problem: { file, field, message } });
  const match = FRONT_MATTER.exec(normalized);
  if (!match) return fail('front matter', 'the file must start with YAML front matter between two --- lines');
  const doc = parseDocument(match[1]!, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return fail('front matter', doc.errors[0]!.message.split('\n')[0]!);
  const data: unknown = doc.toJS();
  const parsed = articleFrontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys?.join(', ') ?? 'front matter' : 'front matter';
    return fail(field, issue.message);
  }
  const body = normalized.slice(match[0].length).trim();
  if (body.length === 0) return fail('body', 'the article has no text after the front matter');
  if (body.length > KNOWLEDGE_LIMITS.body) return fail('body', `longer than ${KNOWLEDGE_LIMITS.body} characters`);
  const expected = path.basename(file).replace(/\.md$/, '');
  if (expected !== parsed.data.id) return fail('id', `must match the file name (${expected})`);
  return { ok: true, article: { file, frontMatter: parsed.data, body, hash: createHash('sha256').update(normalized).digest('hex') } };
}

/** Every `*.md` under `dir` but README.md, sorted, as parsed files. A missing folder has none. */
export function readArticleFiles(dir: string): ParsedFile[] {
  if (!fs.existsSync(dir)) return [];
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.md') && entry.name.toLowerCase() !== 'readme.md') files.push(full);
    }
  };
  walk(dir);
  return files.sort().map((full) => parseArticleFile(path.relative(dir, full), fs.readFileSync(full, 'utf8')));
}
