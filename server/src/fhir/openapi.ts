/**
 * Lists the FHIR endpoints in /api/openapi.json, so the one API document names them too. The
 * authoritative FHIR description is the CapabilityStatement at GET /fhir/R4/metadata.
 */
import { z } from 'zod';
import type { OpenApiRegistry } from '../platform/http/openapi.js';

const resource = z.looseObject({ resourceType: z.string(), id: z.string().optional() }).describe('A FHIR R4 resource');
const bundle = z.looseObject({ resourceType: z.literal('Bundle'), type: z.string() }).describe('A FHIR R4 Bundle');
const outcome = { description: 'OperationOutcome explaining the error' };
const tags = ['fhir'];

export function registerFhirOpenApi(openapi: OpenApiRegistry): void {
  openapi.add({
    method: 'get',
    path: '/fhir/R4/metadata',
    summary: 'CapabilityStatement: supported types, interactions and search parameters',
    tags,
    auth: false,
    responses: { 200: { description: 'CapabilityStatement', schema: resource } },
  });
  openapi.add({
    method: 'post',
    path: '/fhir/R4',
    summary: 'Transaction or batch Bundle (admin, practitioner)',
    tags,
    body: bundle,
    responses: { 200: { description: 'transaction-response or batch-response Bundle', schema: bundle }, 400: outcome, 413: outcome, 422: outcome },
  });
  const everything = 'The patient and everything in their compartment, paged (_count, _since, _type; PHI: audited)';
  openapi.add({
    method: 'get',
    path: '/fhir/R4/Patient/:id/$everything',
    summary: everything,
    tags,
    responses: { 200: { description: 'searchset Bundle', schema: bundle }, 403: outcome, 404: outcome },
  });
  openapi.add({
    method: 'post',
    path: '/fhir/R4/Patient/:id/$everything',
    summary: `${everything}, parameters as a Parameters resource`,
    tags,
    body: z.looseObject({ resourceType: z.literal('Parameters') }).describe('A FHIR R4 Parameters resource'),
    responses: { 200: { description: 'searchset Bundle', schema: bundle }, 400: outcome, 403: outcome, 404: outcome },
  });
  openapi.add({
    method: 'get',
    path: '/fhir/R4/Patient/:id/:type',
    summary: 'Search one type within a patient’s compartment',
    tags,
    responses: { 200: { description: 'searchset Bundle', schema: bundle }, 400: outcome, 404: outcome },
  });
  openapi.add({
    method: 'get',
    path: '/fhir/R4/:type',
    summary: 'Search (parameters per type: see the CapabilityStatement)',
    tags,
    responses: { 200: { description: 'searchset Bundle', schema: bundle }, 400: outcome },
  });
  openapi.add({
    method: 'post',
    path: '/fhir/R4/:type/_search',
    summary: 'Search with form-encoded parameters',
    tags,
    responses: { 200: { description: 'searchset Bundle', schema: bundle }, 400: outcome },
  });
  openapi.add({
    method: 'post',
    path: '/fhir/R4/:type',
    summary: 'Create (If-None-Exist for conditional create); bodies capped per role (413)',
    tags,
    body: resource,
    responses: { 201: { description: 'Created', schema: resource }, 200: { description: 'Conditional create matched', schema: resource }, 400: outcome, 403: outcome, 413: outcome, 422: outcome },
  });
  openapi.add({
    method: 'get',
    path: '/fhir/R4/:type/:id',
    summary: 'Read (ETag W/"version", Last-Modified)',
    tags,
    responses: { 200: { description: 'The resource', schema: resource }, 404: outcome, 410: outcome },
  });
  openapi.add({
    method: 'put',
    path: '/fhir/R4/:type/:id',
    summary: 'Update or create with this id (If-Match: 412 on a version mismatch)',
    tags,
    body: resource,
    responses: { 200: { description: 'Updated', schema: resource }, 201: { description: 'Created', schema: resource }, 403: outcome, 412: outcome, 413: outcome },
  });
  openapi.add({
    method: 'delete',
    path: '/fhir/R4/:type/:id',
    summary: 'Delete (a new, deleted version)',
    tags,
    responses: { 200: { description: 'Deleted' }, 404: outcome },
  });
  openapi.add({
    method: 'get',
    path: '/fhir/R4/:type/:id/_history',
    summary: 'Instance history, newest first',
    tags,
    responses: { 200: { description: 'history Bundle', schema: bundle } },
  });
  openapi.add({
    method: 'get',
    path: '/fhir/R4/:type/:id/_history/:vid',
    summary: 'Read one version',
    tags,
    responses: { 200: { description: 'The version', schema: resource }, 410: outcome },
  });
}
