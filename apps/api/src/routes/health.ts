import type { Health, UpstreamKind } from '@zai-chat/contract';
import type { Lifecycle } from '../lifecycle';

export interface HealthDeps {
  version: string;
  upstream: UpstreamKind;
  instance: string;
  lifecycle: Lifecycle;
  startedAt: number;
  /** With REDIS_URL: while Redis is down or slow the API serves alone, and says so. */
  redis?: { readonly up: boolean; readonly reason: string | undefined };
}

/** GET /health: 200 while serving, 503 while draining (load balancers stop sending). */
export function healthRoute(deps: HealthDeps) {
  return async () => {
    const redisDown = deps.redis !== undefined && !deps.redis.up;
    const body: Health = {
      status: deps.lifecycle.draining ? 'draining' : redisDown ? 'degraded' : 'ok',
      version: deps.version,
      upstream: deps.upstream,
      instance: deps.instance,
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      ...(redisDown ? { reasons: [`redis: ${deps.redis?.reason ?? 'down'}`] } : {}),
    };
    return deps.lifecycle.draining
      ? { status: 503 as const, body }
      : { status: 200 as const, body };
  };
}
