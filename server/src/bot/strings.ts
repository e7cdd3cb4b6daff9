/**
 * The string tables: per locale, `stringId` → text (localized prompts and statements) and the
 * `customLocalizedStrings` keys scripts read. en-US is the base; another locale falls back to it
 * key by key. Held in memory (the service loads them from `bot_strings` and the shipped files) and
 * read synchronously by the engine; the JSON text scripts get is built once per locale and change.
 */
import { BASE_LOCALE } from '../contracts/bot.js';

export class StringCatalog {
  private readonly tables = new Map<string, Map<string, string>>();
  private readonly scriptJson = new Map<string, string>();

  /** Adds or replaces entries of a locale's table. */
  set(locale: string, entries: Record<string, string>): void {
    let table = this.tables.get(locale);
    if (!table) {
      table = new Map();
      this.tables.set(locale, table);
    }
    for (const [key, value] of Object.entries(entries)) table.set(key, value);
    this.scriptJson.clear();
  }

  /** A localized text for `key` in `locale`, else in the base locale; undefined when neither has it. */
  lookup(locale: string, key: string): string | undefined {
    return this.tables.get(locale)?.get(key) ?? (locale === BASE_LOCALE ? undefined : this.tables.get(BASE_LOCALE)?.get(key));
  }

  /** `customLocalizedStrings` for a locale as JSON text: the base table overlaid with the locale's. */
  scriptTable(locale: string): string {
    let json = this.scriptJson.get(locale);
    if (json === undefined) {
      const merged: Record<string, string> = {};
      for (const [key, value] of this.tables.get(BASE_LOCALE) ?? []) merged[key] = value;
      if (locale !== BASE_LOCALE) for (const [key, value] of this.tables.get(locale) ?? []) merged[key] = value;
      json = JSON.stringify(merged);
      this.scriptJson.set(locale, json);
    }
    return json;
  }

  locales(): string[] {
    return [...this.tables.keys()];
  }

  table(locale: string): Record<string, string> {
    return Object.fromEntries(this.tables.get(locale) ?? []);
  }
}
