/**
 * The CapabilityStatement served at GET /metadata, generated from what the server actually does:
 * the supported types, the interactions the router implements, and the search parameters that
 * are indexed (SEARCH_PARAMETERS), so it cannot drift from the code.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { SEARCH_PARAMETERS, SUPPORTED_RESOURCE_TYPES } from './search-parameters.js';
import { isDirectoryType } from './policy.js';

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
              documentation: 'The patient, every resource in their compartment, and the practitioners, organizations and locations those refer to.',
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
    format: ['json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Search: token (code, system|code, |code, system|, :not), string (prefix, :exact, :contains), reference (id or Type/id), date (eq ne lt gt le ge sa eb ap), :missing; comma = OR, repeated parameter = AND; _count (default 20, max 1000), _offset, _sort, _total. Unknown parameters are refused (400) unless Prefer: handling=lenient.',
        security: {
          cors: false,
          service: [{ text: 'Bearer JWT' }],
          description:
            'Every endpoint except /metadata needs "Authorization: Bearer <JWT access token>" from the Carebridge sign-in API. Staff reading patient data also send "X-Access-Reason".',
        },
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }],
      },
    ],
  };
}
