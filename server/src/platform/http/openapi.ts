/**
 * A small registry that turns the zod schemas routes already validate with into an OpenAPI 3.1
 * document (3.1 schemas are JSON Schema 2020-12, which zod emits directly).
 */
import { z } from 'zod';
import { errorResponseSchema } from '../../contracts/errors.js';

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tags?: string[];
  auth?: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];

  add(route: RouteDoc): void {
    this.routes.push(route);
  }

  document(info: { version: string; serverUrl?: string }): Record<string, unknown> {
    const toSchema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const openApiPath = r.path.replace(/:(\w+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const name of r.path.match(/:(\w+)/g) ?? []) {
        parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
      }
      if (r.query) {
        for (const [name, schema] of Object.entries(r.query.shape)) {
          parameters.push({ name, in: 'query', required: !(schema as z.ZodType).safeParse(undefined).success, schema: toSchema(schema as z.ZodType) });
        }
      }
      const responses: Record<string, unknown> = {};
      for (const [status, res] of Object.entries(r.responses)) {
        responses[status] = res.schema
          ? { description: res.description, content: { 'application/json': { schema: toSchema(res.schema) } } }
          : { description: res.description };
      }
      responses.default = {
        description: 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      (paths[openApiPath] ??= {})[r.method] = {
        summary: r.summary,
        tags: r.tags,
        ...(parameters.length ? { parameters } : {}),
        ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body) } } } } : {}),
        ...(r.auth === false ? { security: [] } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Carebridge API', version: info.version, description: 'REST API of the Carebridge server. FHIR R4 lives at /fhir/R4.' },
      ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
      security: [{ bearerAuth: [] }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { Error: toSchema(errorResponseSchema) },
      },
      paths,
    };
  }
}
