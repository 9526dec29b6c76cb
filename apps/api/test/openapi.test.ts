import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack';

/** /openapi.json is generated from the contract; it must match what the API really serves. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };

/** Method + path of every route the Express app has, read from its router. */
function servedRoutes(app: Express): string[] {
  const stack = (
    app as unknown as {
      _router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    }
  )._router.stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`),
    );
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3 document of the contract, SSE included', async () => {
    const res = await request(stack.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(doc.openapi).toMatch(/^3\./);
    const chat = doc.paths['/api/chat']?.post as {
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(chat.responses['200']?.content ?? {})).toEqual(
      expect.arrayContaining(['application/json', 'text/event-stream']),
    );
    expect(Object.keys(chat.responses)).toEqual(
      expect.arrayContaining(['400', '413', '429', '502']),
    );
  });

  it('documents exactly the routes the API serves (besides /metrics and itself)', async () => {
    const doc = (await request(stack.app).get('/openapi.json')).body as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const served = servedRoutes(stack.app).filter(
      (r) => r !== 'GET /metrics' && r !== 'GET /openapi.json',
    );
    expect(documented.sort()).toEqual([...new Set(served)].sort());
  });

  it('every documented route is served (never the unknown-route not_found)', async () => {
    const doc = (await request(stack.app).get('/openapi.json')).body as Doc;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{\w+\}/g, 'unknown-id');
        const agent = request(stack.app);
        const call = method === 'get' ? agent.get(url) : agent.post(url).send('{}');
        const res = await call.set('content-type', 'application/json');
        const code = (res.body as { error?: { code?: string } }).error?.code;
        expect(code, `${method} ${path}`).not.toBe('not_found');
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });
});
