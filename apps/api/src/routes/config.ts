import type { ApiConfig, UpstreamKind } from '@zai-chat/contract';
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
    access: { mode: config.access.mode },
    // Resume needs Redis (frames may be asked for through any replica).
    resumableStreams: config.redis !== undefined,
  };
}
