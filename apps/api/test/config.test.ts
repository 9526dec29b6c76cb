import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('defaults: the international base URL, port 8000, limits on, simulator when no key', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.upstream).toMatchObject({
      kind: 'simulator',
      baseUrl: undefined,
      defaultModel: 'glm-4.6',
    });
    expect(config.limits).toMatchObject({
      bodyBytes: 8 * 1024 * 1024,
      maxMessages: 200,
      rateLimitMax: 60,
    });
    expect(config.trustProxy).toBe(false);
    expect(config.corsOrigins).toEqual([]);
  });

  it('a key selects Z.AI at the international URL', () => {
    const config = loadConfig({ ZAI_API_KEY: 'abc.def' });
    expect(config.upstream).toMatchObject({
      kind: 'zai',
      baseUrl: 'https://api.z.ai/api/paas/v4',
      apiKey: 'abc.def',
      auth: 'bearer',
    });
  });

  it('empty variables (as compose passes them) count as unset', () => {
    expect(loadConfig({ ZAI_API_KEY: '', PORT: '' }).upstream.kind).toBe('simulator');
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ ZAI_BASE_URL: 'not a url' }, /^ZAI_BASE_URL: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ NODE_ENV: 'production' }, /^ZAI_API_KEY: required in production/],
    [{ ZAI_AUTH: 'jwt', ZAI_API_KEY: 'no-dot' }, /^ZAI_API_KEY: must look like/],
    [{ RATE_LIMIT_MAX: '0' }, /^RATE_LIMIT_MAX: /],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY: "true" would let any client forge its address/],
    [
      { NODE_ENV: 'production', ZAI_API_KEY: 'id.secret' },
      /^ACCESS_MODE: required in production with a real ZAI_API_KEY/,
    ],
    [{ ACCESS_MODE: 'keys' }, /^ACCESS_KEYS_FILE: required with ACCESS_MODE=keys/],
    [
      { ACCESS_MODE: 'proxy', TRUST_PROXY: '1' },
      /^TRUST_PROXY: with ACCESS_MODE=proxy, name the auth proxy/,
    ],
    [{ ACCESS_MODE: 'proxy' }, /^TRUST_PROXY: with ACCESS_MODE=proxy/],
    [{ ACCESS_MODE: 'everyone' }, /^ACCESS_MODE: /],
    [{ ZAI_MODELS: 'glm-4.6:telepathy' }, /^ZAI_MODELS: "telepathy" is not one of/],
    [{ ZAI_MODELS: ' , ' }, /^ZAI_MODELS: lists no model/],
  ])('%j fails with one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('CORS origins: a list, or * only when asked for', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it('trust proxy from config: a hop count or a list, never true by default', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  });

  it('models: GLM’s line-up by default, or ZAI_MODELS with capabilities', () => {
    expect(loadConfig({}).upstream.models.find((m) => m.id === 'glm-4.5v')).toMatchObject({
      vision: true,
    });
    expect(
      loadConfig({ ZAI_MODELS: 'glm-4.6:reasoning:tools, my-vlm:vision' }).upstream.models,
    ).toEqual([
      { id: 'glm-4.6', vision: false, reasoning: true, tools: true },
      { id: 'my-vlm', vision: true, reasoning: false, tools: false },
    ]);
  });

  it('fallback models are an ordered list', () => {
    expect(loadConfig({}).upstream.fallbackModels).toEqual([]);
    expect(
      loadConfig({ ZAI_FALLBACK_MODELS: 'glm-4.5-air, glm-4.5-flash' }).upstream.fallbackModels,
    ).toEqual(['glm-4.5-air', 'glm-4.5-flash']);
  });

  it('access: open by default outside production; explicit choices are kept', () => {
    expect(loadConfig({}).access.mode).toBe('open');
    expect(
      loadConfig({ NODE_ENV: 'production', ZAI_API_KEY: 'id.secret', ACCESS_MODE: 'open' }).access
        .mode,
    ).toBe('open');
    expect(
      loadConfig({
        ACCESS_MODE: 'proxy',
        TRUST_PROXY: '10.0.0.5',
        ACCESS_PROXY_HEADER: 'X-Auth-User',
      }).access,
    ).toMatchObject({ mode: 'proxy', proxyHeader: 'x-auth-user' });
  });
});
