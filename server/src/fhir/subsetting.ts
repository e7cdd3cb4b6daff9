/**
 * `_summary=true` and `_elements=…`: a resource cut down to some of its top-level elements, marked
 * SUBSETTED in `meta.tag` as the spec asks. Which elements exist, are in the summary or are mandatory
 * comes from the R4 definitions (elements.generated.ts). Only subsetted entries are parsed and
 * re-serialized; everything else keeps its stored JSON text.
 */
import { RESOURCE_ELEMENTS } from './elements.generated.js';
import { isSupportedResourceType, type SupportedResourceType } from './search-parameters.js';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
const SUMMARY = 1;
const MANDATORY = 2;

interface TypeElements {
  /** JSON key (`status`, `_status`, `valueQuantity`) → element name (`status`, `value`). */
  keyToElement: Map<string, string>;
  flags: Map<string, number>;
}

const cache = new Map<string, TypeElements>();

function elementsOf(type: SupportedResourceType): TypeElements {
  let found = cache.get(type);
  if (!found) {
    const keyToElement = new Map<string, string>();
    const flags = new Map<string, number>();
    for (const [name, flag, suffixes] of RESOURCE_ELEMENTS[type]) {
      flags.set(name, flag);
      for (const key of suffixes ? suffixes.map((s) => name + s) : [name]) {
        keyToElement.set(key, name);
        keyToElement.set(`_${key}`, name);
      }
    }
    found = { keyToElement, flags };
    cache.set(type, found);
  }
  return found;
}

/** True when `name` is a top-level element of the type (`value` for `value[x]`). */
export function isElementOf(type: SupportedResourceType, name: string): boolean {
  return elementsOf(type).flags.has(name);
}

export type Subset = { kind: 'summary' } | { kind: 'elements'; names: ReadonlySet<string> };

/**
 * The stored JSON text cut down to the subset. `_elements` keeps the named elements, the mandatory
 * ones and id/meta; `_summary=true` keeps the summary elements of the resource's own type.
 */
export function subsetJson(content: string, subset: Subset): string {
  const resource = JSON.parse(content) as Record<string, unknown> & { resourceType: string; meta?: { tag?: unknown[] } };
  if (!isSupportedResourceType(resource.resourceType)) return content;
  const { keyToElement, flags } = elementsOf(resource.resourceType);
  const keep = (element: string): boolean => {
    if (element === 'id' || element === 'meta') return true;
    const flag = flags.get(element) ?? 0;
    return subset.kind === 'summary' ? (flag & SUMMARY) !== 0 : subset.names.has(element) || (flag & MANDATORY) !== 0;
  };
  const out: Record<string, unknown> = { resourceType: resource.resourceType };
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'resourceType') continue;
    const element = keyToElement.get(key);
    if (element !== undefined && keep(element)) out[key] = value;
  }
  const meta = (out.meta ?? {}) as { tag?: unknown[] };
  out.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
  return JSON.stringify(out);
}
