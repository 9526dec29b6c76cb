import { createExpressEndpoints, initServer } from '@ts-rest/express';
import { type UpstreamKind, contract } from '@zai-chat/contract';
import type { Express } from 'express';
import type { Lifecycle } from '../lifecycle';

/** GET /health through ts-rest, so the response is checked against the contract. */
export function mountHealth(
  app: Express,
  deps: {
    version: string;
    upstream: UpstreamKind;
    instance: string;
    lifecycle: Lifecycle;
    startedAt: number;
  },
): void {
  const routes = { health: contract.health };
  const s = initServer();
  const router = s.router(routes, {
    health: async () => {
      const body = {
        status: deps.lifecycle.draining ? ('draining' as const) : ('ok' as const),
        version: deps.version,
        upstream: deps.upstream,
        instance: deps.instance,
        uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      };
      return deps.lifecycle.draining
        ? { status: 503 as const, body }
        : { status: 200 as const, body };
    },
  });
  createExpressEndpoints(routes, router, app, { responseValidation: true });
}
