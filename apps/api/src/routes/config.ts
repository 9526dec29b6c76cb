import { createExpressEndpoints, initServer } from '@ts-rest/express';
import { type ApiConfig, type UpstreamKind, contract } from '@zai-chat/contract';
import type { Express } from 'express';
import type { Config } from '../config';

/** What a client needs to offer only what this API accepts; built once, it never changes. */
export function describeDeployment(config: Config, upstream: UpstreamKind): ApiConfig {
  const { limits } = config;
  return {
    upstream,
    defaultModel: config.upstream.defaultModel,
    models: config.upstream.models,
    limits: {
      maxMessages: limits.maxMessages,
      maxMessageChars: limits.maxMessageChars,
      maxTokensCeiling: limits.maxTokensCeiling,
      bodyBytes: limits.bodyBytes,
      maxImageBytes: limits.maxImageBytes,
      maxImagesPerRequest: limits.maxImagesPerRequest,
    },
    access: { mode: 'open' },
    resumableStreams: false,
  };
}

/** GET /api/config through ts-rest (response checked against the contract). */
export function mountConfig(app: Express, description: ApiConfig): void {
  const routes = { config: contract.config };
  const router = initServer().router(routes, {
    config: async () => ({ status: 200 as const, body: description }),
  });
  createExpressEndpoints(routes, router, app, { responseValidation: true });
}
