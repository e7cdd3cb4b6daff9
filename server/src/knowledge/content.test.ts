/** The shipped content: every article file and the synonyms file load, and the library is what it says. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { synonymsFileSchema } from '../contracts/knowledge.js';
import { parseArticleFile, readArticleFiles, type ArticleFile } from './content.js';
import { Synonyms } from './synonyms.js';
import { words } from './text.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KB = path.join(ROOT, 'knowledge-base');
const SYNONYMS = path.join(ROOT, 'health-bot/vocabulary/synonyms.json');

describe('knowledge-base/', () => {
  const parsed = readArticleFiles(KB);
  const articles = parsed.flatMap((p) => (p.ok ? [p.article] : []));
  const byId = new Map<string, ArticleFile>(articles.map((a) => [a.frontMatter.id, a]));

  it('has no invalid file', () => {
    expect(parsed.filter((p) => !p.ok).map((p) => (p.ok ? null : p.problem))).toEqual([]);
  });

  it('has at least 60 English and 15 Spanish articles, ids unique, in the folder of their language', () => {
    expect(articles.filter((a) => a.frontMatter.language === 'en').length).toBeGreaterThanOrEqual(60);
    expect(articles.filter((a) => a.frontMatter.language === 'es').length).toBeGreaterThanOrEqual(15);
    expect(byId.size).toBe(articles.length);
    for (const a of articles) expect(a.file.split(path.sep)[0], a.file).toBe(a.frontMatter.language);
  });

  it('keeps every body between 150 and 600 words', () => {
    const outside = articles.map((a) => [a.file, words(a.body).length] as const).filter(([, n]) => n < 150 || n > 600);
    expect(outside).toEqual([]);
  });

  it('cites sources in every clinical article', () => {
    const clinical = articles.filter((a) => ['conditions', 'emergencies', 'prevention', 'vaccines'].includes(a.frontMatter.category));
    expect(clinical.length).toBeGreaterThan(25);
    expect(clinical.filter((a) => !/^(Sources|Fuentes): .+/m.test(a.body)).map((a) => a.file)).toEqual([]);
  });

  it('points every translation at an English article of the same audience', () => {
    const translations = articles.filter((a) => a.frontMatter.translationOf !== undefined);
    expect(translations.length).toBeGreaterThanOrEqual(15);
    for (const t of translations) {
      const original = byId.get(t.frontMatter.translationOf!);
      expect(original?.frontMatter.language, t.file).toBe('en');
      expect(original?.frontMatter.audience, t.file).toBe(t.frontMatter.audience);
    }
  });

  it('has articles for agents as well as patients', () => {
    expect(articles.filter((a) => a.frontMatter.audience === 'agent').length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['no front matter', '# Title\n\nBody', 'front matter'],
    ['bad YAML', '---\ntitle: [unclosed\n---\nBody', 'front matter'],
    ['a bad audience', '---\nid: x\ntitle: T\nsummary: S\naudience: everyone\ncategory: c\nlanguage: en\nreviewDate: 2027-01-01\nowner: O\n---\nBody', 'audience'],
    ['an unknown field', '---\nid: x\ntitle: T\nsummary: S\naudience: patient\ncategory: c\nlanguage: en\nreviewDate: 2027-01-01\nowner: O\ncolour: red\n---\nBody', 'colour'],
    ['an impossible date', '---\nid: x\ntitle: T\nsummary: S\naudience: patient\ncategory: c\nlanguage: en\nreviewDate: 2027-02-30\nowner: O\n---\nBody', 'reviewDate'],
    ['a bad code', '---\nid: x\ntitle: T\nsummary: S\naudience: patient\ncategory: c\nconditions: ["I10"]\nlanguage: en\nreviewDate: 2027-01-01\nowner: O\n---\nBody', 'conditions.0'],
    ['no body', '---\nid: x\ntitle: T\nsummary: S\naudience: patient\ncategory: c\nlanguage: en\nreviewDate: 2027-01-01\nowner: O\n---\n   \n', 'body'],
    ['an id that is not the file name', '---\nid: y\ntitle: T\nsummary: S\naudience: patient\ncategory: c\nlanguage: en\nreviewDate: 2027-01-01\nowner: O\n---\nBody', 'id'],
  ])('refuses a file with %s, naming the field', (_what, text, field) => {
    const result = parseArticleFile('en/x.md', text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ file: 'en/x.md', field });
  });
});

describe('health-bot/vocabulary/synonyms.json', () => {
  const file = synonymsFileSchema.parse(JSON.parse(fs.readFileSync(SYNONYMS, 'utf8')));

  it('has at least 100 groups, in English and Spanish, with unique ids', () => {
    expect(file.groups.length).toBeGreaterThanOrEqual(100);
    expect(file.groups.filter((g) => g.language === 'es').length).toBeGreaterThanOrEqual(30);
    expect(new Set(file.groups.map((g) => g.id)).size).toBe(file.groups.length);
  });

  it.each([
    ['heart attack', ['myocardial infarction', 'mi']],
    ['high blood pressure', ['hypertension', 'hbp']],
    ['sugar', ['diabetes']],
    ['water pill', ['diuretic']],
    ['presion alta', ['hipertension']],
    ['ataque al corazon', ['infarto']],
  ])('knows that %s also means %j', (term, others) => {
    const synonyms = Synonyms.fromFile(SYNONYMS);
    const match = synonyms.matchAt(words(term), 0);
    const found = (match?.alternatives ?? []).map((a) => a.join(' '));
    for (const other of others) expect(found).toContain(other);
  });
});
