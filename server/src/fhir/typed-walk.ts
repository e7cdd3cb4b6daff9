/**
 * Walks a resource as the R4 definitions type it (medplum's indexed StructureDefinitions), so code
 * that cares about an element's FHIR type — not just its JSON key — can find it: the References,
 * the uri/url/uuid/oid values and the narratives a transaction rewrites, the codes with a required
 * binding, and values of the wrong JSON kind (a string where a CodeableConcept goes). Contained
 * resources (and any other element of type Resource) are walked as their own type.
 *
 * Paths are written as medplum's validator writes them (`Observation.value[x]`,
 * `Patient.name[0].given[1]`), so its issues and ours can be matched by path.
 */
import { getDataType, isPrimitiveType, tryGetDataType } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema } from '@medplum/core';

export interface TypedValue {
  /** Where the value is, e.g. `Encounter.participant[0].individual`. */
  path: string;
  /** Its FHIR type code: `code`, `uri`, `Reference`, `CodeableConcept`, a resource type… */
  type: string;
  element: InternalSchemaElement;
  value: unknown;
  /** Replaces the value in the resource. */
  set(value: unknown): void;
}

export interface TypedVisitor {
  /** A primitive value of the right JSON kind (string, number or boolean). */
  primitive?(visit: TypedValue): void;
  /** An object of a complex type, before its children are walked. */
  complex?(visit: TypedValue): void;
  /** A value of the wrong JSON kind: a primitive where an object goes, or the other way round. */
  wrongKind?(path: string, expected: string, got: string): void;
}

interface ResolvedKey {
  element: InternalSchemaElement;
  type: string;
  /** The element's name in paths (`value[x]` for `valueQuantity`). */
  name: string;
}

const keyCache = new WeakMap<InternalTypeSchema, Map<string, ResolvedKey | null>>();

/** Which element (and type, for choice elements) a JSON key of an object of `schema` is. */
function resolveKey(schema: InternalTypeSchema, key: string): ResolvedKey | null {
  let cache = keyCache.get(schema);
  if (!cache) {
    cache = new Map();
    keyCache.set(schema, cache);
  }
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  let resolved: ResolvedKey | null = null;
  const element = schema.elements[key];
  if (element && element.type.length > 0) {
    resolved = { element, type: element.type[0]!.code, name: key };
  } else {
    for (const [name, candidate] of Object.entries(schema.elements)) {
      if (!name.endsWith('[x]')) continue;
      const prefix = name.slice(0, -3);
      if (!key.startsWith(prefix) || key.length === prefix.length) continue;
      const suffix = key.slice(prefix.length);
      const type = candidate.type.find((t) => t.code.charAt(0).toUpperCase() + t.code.slice(1) === suffix);
      if (type) {
        resolved = { element: candidate, type: type.code, name };
        break;
      }
    }
  }
  cache.set(key, resolved);
  return resolved;
}

const kindOf = (value: unknown): string => (Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

const JSON_KIND: Record<string, string> = {
  boolean: 'a JSON boolean',
  integer: 'a JSON number',
  unsignedInt: 'a JSON number',
  positiveInt: 'a JSON number',
  decimal: 'a JSON number',
};

/** How the expected value is described in a message: `a code (a JSON string)`, `a CodeableConcept (a JSON object)`. */
function expectedKind(type: string, isArray: boolean): string {
  const shown = type.startsWith('http://hl7.org/fhirpath/System.') ? 'string' : type;
  const json = isPrimitiveType(type) ? (JSON_KIND[type] ?? 'a JSON string') : 'a JSON object';
  return isArray ? `a list of ${shown} (a JSON array of ${json.replace(/^a JSON /, '')}s)` : `${/^[aeiou]/i.test(shown) ? 'an' : 'a'} ${shown} (${json})`;
}

/** Walks a resource (of a type the definitions know; others are skipped). */
export function walkTyped(resource: { resourceType: string }, visitor: TypedVisitor): void {
  const schema = tryGetDataType(resource.resourceType);
  if (!schema) return;
  walkObject(resource as unknown as Record<string, unknown>, schema, resource.resourceType, visitor);
}

function walkObject(obj: Record<string, unknown>, schema: InternalTypeSchema, path: string, visitor: TypedVisitor): void {
  for (const key of Object.keys(obj)) {
    if (key === 'resourceType') continue;
    const value = obj[key];
    if (value === undefined || value === null) continue;
    if (key.startsWith('_')) {
      // A primitive's id and extensions (`_birthDate`, or a list of them for a list of primitives).
      const element = getDataType('Element');
      const items = Array.isArray(value) ? value : [value];
      items.forEach((item, i) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          walkObject(item as Record<string, unknown>, element, Array.isArray(value) ? `${path}.${key}[${i}]` : `${path}.${key}`, visitor);
        }
      });
      continue;
    }
    const resolved = resolveKey(schema, key);
    if (!resolved) continue; // unknown elements are the validator's to report
    const { element, type, name } = resolved;
    const at = `${path}.${name}`;
    if (element.isArray) {
      if (!Array.isArray(value)) {
        if (typeof value !== 'object' && !isPrimitiveType(type)) {
          visitor.wrongKind?.(at, expectedKind(type, true), kindOf(value));
          continue;
        }
        visitItem(value, type, element, at, visitor, (v) => (obj[key] = v));
        continue;
      }
      value.forEach((item, i) => visitItem(item, type, element, `${at}[${i}]`, visitor, (v) => (value[i] = v)));
    } else if (!Array.isArray(value)) {
      visitItem(value, type, element, at, visitor, (v) => (obj[key] = v));
    }
    // A list where one value goes: the validator says so, once.
  }
}

function visitItem(item: unknown, type: string, element: InternalSchemaElement, path: string, visitor: TypedVisitor, set: (v: unknown) => void): void {
  if (item === null || item === undefined) return;
  if (isPrimitiveType(type)) {
    if (typeof item === 'object') visitor.wrongKind?.(path, expectedKind(type, false), kindOf(item));
    else visitor.primitive?.({ path, type, element, value: item, set });
    return;
  }
  if (typeof item !== 'object' || Array.isArray(item)) {
    visitor.wrongKind?.(path, expectedKind(type, false), kindOf(item));
    return;
  }
  const obj = item as Record<string, unknown>;
  let schema: InternalTypeSchema | undefined;
  let actualType = type;
  if (type === 'Resource' || type === 'DomainResource') {
    if (typeof obj.resourceType !== 'string') return;
    actualType = obj.resourceType;
    schema = tryGetDataType(actualType);
  } else {
    schema = tryGetDataType(type);
  }
  visitor.complex?.({ path, type: actualType, element, value: obj, set });
  if (schema) walkObject(obj, schema, path, visitor);
}
