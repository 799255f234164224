import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { adminApi, httpRoutes } from '../../functions/catalog.js';
import { adminOperationContracts } from '../../lib/contracts/control-plane-operations.js';
import { operationContractOf, operationContracts } from '../../lib/contracts/operations.js';
import { buildControlPlaneDocument } from '../../scripts/openapi/control-plane-document.js';
import { buildOpenApiDocument } from '../../scripts/openapi/document.js';
import { GENERATED_FILES, renderOpenApiJson, renderSdkTypes } from '../../scripts/openapi/render.js';

const document = buildOpenApiDocument();
const STALE = 'is stale: run `npm run openapi` and commit the result';

describe('the OpenAPI document', () => {
  it(`is committed as generated from the contracts (else it ${STALE})`, async () => {
    const committed = await readFile(GENERATED_FILES.openApi, 'utf8');
    expect(committed === renderOpenApiJson(document), `openapi/openapi.json ${STALE}`).toBe(true);
  });

  it(`has the SDK's types committed as generated from it (else they are ${STALE})`, async () => {
    const committed = await readFile(GENERATED_FILES.sdkTypes, 'utf8');
    expect(committed === (await renderSdkTypes(document)), `sdk/src/generated/openapi.ts ${STALE}`).toBe(
      true,
    );
  });

  it('describes every route of the catalog, and only those, with its method and grant', () => {
    const described = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { operationId: string; 'x-required-grant': string }>).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation['x-required-grant']}`,
      ),
    );
    expect(described.sort()).toEqual(httpRoutes.map((r) => `${r.method} ${r.path} ${r.action}`).sort());
    for (const route of httpRoutes)
      expect(operationContractOf(route.operation), route.operation).toBeDefined();
    expect(Object.keys(operationContracts).sort()).toEqual(
      [...new Set(httpRoutes.map((r) => r.operation))].sort(),
    );
  });

  it('has both path families, each operation with an operationId of its own', () => {
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.values(
        item as Record<string, { operationId: string; 'x-path-family': string; 'x-alias-of'?: string }>,
      ).map((operation) => ({ path, ...operation })),
    );
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation['x-path-family'], operation.path).toBe(
        operation.path.startsWith('/iris/data/v1/agent-memory/') ? 'iris' : 'v1',
      );
    }
    // Every v1 operation has its November twin, named after it.
    const v1 = operations
      .filter((operation) => operation['x-path-family'] === 'v1')
      .map((o) => o.operationId);
    const aliased = operations.flatMap((operation) => operation['x-alias-of'] ?? []);
    expect(aliased.sort()).toEqual(v1.sort());
    expect(ids).toEqual(
      expect.arrayContaining([
        'GetServiceLiveness',
        'IrisAddSessionEvent',
        'AppendSessionEvent',
        'CreateSession',
      ]),
    );
  });

  it('gives every authenticated operation both key schemes and problem bodies for its errors', () => {
    for (const route of httpRoutes) {
      const pathItem = document.paths?.[route.path] as Record<string, unknown>;
      const operation = pathItem[route.method.toLowerCase()] as {
        security: unknown[];
        responses: Record<string, { content?: Record<string, unknown> }>;
      };
      const errorStatuses = Object.keys(operation.responses).filter((s) => Number(s) >= 400);
      for (const status of errorStatuses) {
        expect(Object.keys(operation.responses[status]?.content ?? {})).toEqual(['application/problem+json']);
      }
      if (route.action === 'none') {
        expect(operation.security).toEqual([]);
      } else {
        expect(operation.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
        expect(errorStatuses).toEqual(expect.arrayContaining(['400', '401', '403', '429']));
      }
    }
  });
});

const controlPlane = buildControlPlaneDocument();

describe('the control plane’s OpenAPI document', () => {
  it(`is committed as generated from the contracts (else it ${STALE})`, async () => {
    const committed = await readFile(GENERATED_FILES.controlPlane, 'utf8');
    expect(committed === renderOpenApiJson(controlPlane), `openapi/control-plane.json ${STALE}`).toBe(true);
  });

  it('describes every admin route of the catalog, and only those, by its operationId', () => {
    const described = Object.entries(controlPlane.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { operationId: string }>).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );
    const routes = adminApi.routes.map((r) => `${r.method} ${r.path} ${r.operation}`);
    expect(described.sort()).toEqual(routes.sort());
    expect(Object.keys(adminOperationContracts).sort()).toEqual(
      adminApi.routes.map((r) => r.operation).sort(),
    );
  });

  it('signs every operation with SigV4; errors are problems but for API Gateway’s IAM refusal', () => {
    expect(controlPlane.components?.securitySchemes?.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
    for (const route of adminApi.routes) {
      const pathItem = controlPlane.paths?.[route.path] as Record<string, unknown>;
      const operation = pathItem[route.method.toLowerCase()] as {
        security: unknown[];
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
      };
      expect(operation.security, route.operation).toEqual([{ sigv4: [] }]);
      const errorStatuses = Object.keys(operation.responses).filter((s) => Number(s) >= 400);
      expect(errorStatuses, route.operation).toEqual(expect.arrayContaining(['400', '403', '429', '500']));
      for (const status of errorStatuses) {
        const content = operation.responses[status]?.content ?? {};
        if (status === '403') {
          expect(content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/IamDenial' });
        } else {
          expect(content['application/problem+json']?.schema, `${route.operation} ${status}`).toEqual({
            $ref: '#/components/schemas/Problem',
          });
        }
      }
    }
  });

  it('names no component twice for requests and answers', () => {
    // A response-only schema rendered for requests too shows up as `<Name>Output` next to `<Name>`.
    const names = Object.keys(controlPlane.components?.schemas ?? {});
    expect(names.filter((n) => n.endsWith('OutputOutput'))).toEqual([]);
  });
});

describe.each([
  ['data plane', document],
  ['control plane', controlPlane],
] as const)('the %s document', (_, generated) => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(renderOpenApiJson(generated)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('declares every path parameter of each route, required', () => {
    for (const [path, item] of Object.entries(generated.paths ?? {})) {
      const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(item as Record<string, { parameters?: unknown[] }>)) {
        const declared = (operation.parameters ?? []) as { in: string; name: string; required?: boolean }[];
        const pathParams = declared.filter((p) => p.in === 'path');
        expect(pathParams.map((p) => p.name).sort(), path).toEqual([...placeholders].sort());
        expect(pathParams.every((p) => p.required === true)).toBe(true);
      }
    }
  });
});
