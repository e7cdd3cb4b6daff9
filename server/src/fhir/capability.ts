/**
 * The CapabilityStatement served at GET /metadata, generated from what the server actually does:
 * the supported types, the interactions the router implements, the search parameters that are
 * indexed (SEARCH_PARAMETERS), the _include/_revinclude values the parser accepts (every reference
 * parameter), the Patient compartment and $everything's parameters, so it cannot drift from the code.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { PATIENT_COMPARTMENT_TYPES, SEARCH_PARAMETERS, SUPPORTED_RESOURCE_TYPES } from './search-parameters.js';
import { referenceParams, revIncludesOf } from './search-query.js';
import { isDirectoryType } from './policy.js';
import { EVERYTHING_MAX_COUNT } from './operations/everything.js';

/** The formats served: JSON only (an XML Accept header or _format=xml is answered 406). */
export const FORMATS = ['json', 'application/fhir+json'];

/** Result parameters every search takes, listed at the rest level. */
export const RESULT_PARAMS = [
  { name: '_count', type: 'number' as const, documentation: 'Page size: default 20, maximum 1000; 0 returns the total only.' },
  { name: '_offset', type: 'number' as const, documentation: 'Start of the page (the next/previous links set it).' },
  { name: '_sort', type: 'string' as const, documentation: '_id, _lastUpdated, or a date or string parameter; - for descending.' },
  { name: '_total', type: 'token' as const, documentation: 'none, estimate or accurate.' },
  { name: '_summary', type: 'token' as const, documentation: 'true (summary elements only, every entry, marked SUBSETTED), count (the total only) or false.' },
  { name: '_elements', type: 'string' as const, documentation: 'Comma-separated top-level elements of the matches to return (plus id, meta and mandatory elements), marked SUBSETTED.' },
  { name: '_include', type: 'special' as const, documentation: 'Type:param[:Target] for the reference parameters listed in searchInclude; no :iterate, no wildcard.' },
  { name: '_revinclude', type: 'special' as const, documentation: 'Type:param[:Target] as listed in searchRevInclude; no :iterate.' },
];

export const EVERYTHING_DOCUMENTATION = `GET or POST (a Parameters resource). The patient, every resource in their compartment, and the practitioners, organizations and locations those refer to (search.mode include). _count: resources per page (default and maximum ${EVERYTHING_MAX_COUNT}; next links are stable keys, not offsets); _since: only resources changed at or after this instant; _type: only these resource types.`;

const INTERACTIONS: CapabilityStatementRestResource['interaction'] = [
  { code: 'read' },
  { code: 'vread' },
  { code: 'update' },
  { code: 'delete' },
  { code: 'history-instance' },
  { code: 'create' },
  { code: 'search-type' },
];

const COMMON_PARAMS = [
  { name: '_id', type: 'token' as const, documentation: 'Logical id; comma-separated ids OR together.' },
  { name: '_lastUpdated', type: 'date' as const, documentation: 'When the resource was last changed (prefixes eq, ne, lt, gt, le, ge, sa, eb, ap).' },
];

export function buildCapabilityStatement(options: { version: string; baseUrl: string; date: string }): CapabilityStatement {
  const resources: CapabilityStatementRestResource[] = SUPPORTED_RESOURCE_TYPES.map((type) => ({
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    documentation: isDirectoryType(type)
      ? 'Directory data: readable by any signed-in user; only admins change it.'
      : 'Clinical data: patients see their own compartment; staff need a PHI-reading role and an X-Access-Reason header. Every read is audited.',
    interaction: INTERACTIONS,
    versioning: 'versioned',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchInclude: referenceParams(type).map((p) => `${type}:${p.name}`),
    searchRevInclude: revIncludesOf(type),
    searchParam: [
      ...COMMON_PARAMS,
      ...SEARCH_PARAMETERS[type].map((p) => ({
        name: p.name,
        type: p.kind,
        documentation: `${p.paths.map((path) => `${type}.${path}`).join(' | ')}${p.targets ? ` (${p.targets.join(', ')})` : ''}`,
      })),
    ],
    ...(type === 'Patient'
      ? {
          operation: [
            {
              name: 'everything',
              definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
              documentation: EVERYTHING_DOCUMENTATION,
            },
          ],
        }
      : {}),
  }));

  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: options.date,
    publisher: 'Carebridge',
    kind: 'instance',
    software: { name: 'Carebridge', version: options.version },
    implementation: { description: 'Carebridge FHIR R4 API', url: options.baseUrl },
    fhirVersion: '4.0.1',
    format: FORMATS,
    rest: [
      {
        mode: 'server',
        documentation:
          `Search: token (code, system|code, |code, system|, :not), string (prefix, :exact, :contains), reference (id or Type/id), date (eq ne lt gt le ge sa eb ap), :missing; comma = OR, repeated parameter = AND; _count (default 20, max 1000), _offset, _sort, _total, _summary (true, count, false), _elements, _include and _revinclude (one level, no :iterate; included resources follow the same access rules and are audited). Unknown parameters are refused (400) unless Prefer: handling=lenient. Compartment search: GET Patient/{id}/{type} for ${PATIENT_COMPARTMENT_TYPES.join(', ')}. JSON only: XML is answered 406.`,
        security: {
          cors: false,
          service: [{ text: 'Bearer JWT' }],
          description:
            'Every endpoint except /metadata needs "Authorization: Bearer <JWT access token>" from the Carebridge sign-in API. Staff reading patient data also send "X-Access-Reason".',
        },
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        searchParam: RESULT_PARAMS,
        operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything', documentation: EVERYTHING_DOCUMENTATION }],
        compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
      },
    ],
  };
}
