import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_VARIABLES } from '../src/nginx';
import {
  type ComposeConfig,
  type ComposeService,
  resolvedConfig,
  runCompose,
} from './support/compose';
import { argsOf, finalStage, readStages } from './support/dockerfile';
import { repoPath } from './support/repo';

/**
 * docker-compose.yml, the Dockerfiles and .dockerignore, checked without a Docker engine:
 * compose resolves the file itself, the Dockerfiles are read for what the images promise.
 */

function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) =>
    typeof port === 'string'
      ? (port.split(':').slice(-2, -1)[0] ?? '')
      : String(port.published ?? ''),
  );
}

describe('docker-compose.yml', () => {
  it('is valid, with and without the demo profile', () => {
    for (const args of [[], ['--profile', 'demo']]) {
      const result = runCompose([...args, 'config', '-q']);
      expect(result.stderr, `docker-compose ${args.join(' ')} config -q`).not.toMatch(/error/i);
      expect(result.status).toBe(0);
    }
  });

  it('fails validation when the file is broken (the check above can fail)', () => {
    const result = runCompose(['-f', 'package.json', 'config', '-q']);
    expect(result.status).not.toBe(0);
  });

  // Resolving runs compose (slow to start): once for the tests that read the default model.
  let demo: ComposeConfig | undefined;
  const config = () => (demo ??= resolvedConfig(['--profile', 'demo']));

  it('runs the API healthy-checked, restartable and without a host port, so it scales', () => {
    const api = config().services.api!;
    expect(api).toBeDefined();
    expect(api.build?.dockerfile).toBe('apps/api/Dockerfile');
    expect(api.healthcheck?.test).toBeDefined();
    expect(api.healthcheck?.disable).not.toBe(true);
    expect(JSON.stringify(api.healthcheck?.test)).toContain('/health');
    expect(api.restart).toBe('unless-stopped');
    expect(api.ports ?? []).toEqual([]);
    expect((api.expose ?? []).map(String)).toContain('8000');
    expect(api.profiles ?? []).toEqual([]);
  });

  it('passes every variable of apps/api/src/config.ts to the API but INSTANCE_ID', () => {
    const source = readFileSync(repoPath('apps/api/src/config.ts'), 'utf8');
    const schema = source.slice(
      source.indexOf('EnvSchema = z.object({'),
      source.indexOf('});', source.indexOf('EnvSchema')),
    );
    // INSTANCE_ID must differ per replica, which one compose value cannot do: each replica
    // falls back to its container's hostname.
    const names = [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)]
      .map((m) => m[1])
      .filter((name) => name !== 'INSTANCE_ID');
    expect(names.length).toBeGreaterThan(20);
    const environment = config().services.api!.environment ?? {};
    expect(Object.keys(environment).sort()).toEqual([...names].sort());
    expect(environment.NODE_ENV).toBe('production');
    expect(environment.HOST).toBe('0.0.0.0');
    expect(environment.PORT).toBe('8000');
  });

  it('takes ZAI_API_KEY from .env and otherwise points the API at the demo simulator', () => {
    const withoutKey = config().services.api!.environment ?? {};
    expect(withoutKey.ZAI_API_KEY ?? '').toBe('');
    expect(withoutKey.SIMULATOR_URL).toBe('http://sim:4010/api/paas/v4');
    expect(withoutKey.SIMULATOR_API_KEY).toBe(config().services.sim!.environment?.SIM_API_KEY);

    const withKey =
      resolvedConfig([], 'ZAI_API_KEY=abc.def\nLOG_LEVEL=debug\n').services.api!.environment ?? {};
    expect(withKey.ZAI_API_KEY).toBe('abc.def');
    expect(withKey.LOG_LEVEL).toBe('debug');
  });

  it('publishes only the web entry, on 8080 unless WEB_PORT says otherwise', () => {
    const resolved = config();
    const web = resolved.services.web!;
    expect(publishedPorts(web)).toEqual(['8080']);
    for (const [name, service] of Object.entries(resolved.services)) {
      // The auth-proxy profile's oauth2-proxy is that setup's public entry instead of web.
      const entry = name === 'web' || (service.profiles ?? []).includes('auth-proxy');
      if (!entry) expect(service.ports ?? [], name).toEqual([]);
    }
    expect(publishedPorts(resolvedConfig([], 'WEB_PORT=9090\n').services.web!)).toEqual(['9090']);
  });

  it('trusts only nginx’s fixed address as a proxy, and keeps access keys on a volume', () => {
    const resolved = config();
    const networks = resolved.services.web!.networks as Record<string, { ipv4_address?: string }>;
    const nginx = networks.default?.ipv4_address;
    expect(nginx).toBe('172.30.57.10');
    expect(resolved.services.api!.environment?.TRUST_PROXY).toBe(nginx);
    expect(JSON.stringify(resolved.services.api!.volumes)).toContain('/var/lib/zai-chat');
    expect(resolved.services.api!.environment?.ACCESS_KEYS_FILE).toBe(
      '/var/lib/zai-chat/access-keys.json',
    );
    const moved = resolvedConfig(
      [],
      'ZC_WEB_ADDRESS=10.9.0.4\nZC_SUBNET=10.9.0.0/24\nTRUST_PROXY=10.9.0.4\n',
    );
    expect(
      (moved.services.web!.networks as Record<string, { ipv4_address?: string }>).default
        ?.ipv4_address,
    ).toBe('10.9.0.4');
  });

  it('starts web after the API is healthy; nginx takes its resolver from the container', () => {
    const web = config().services.web!;
    const dependsOn = web.depends_on as Record<string, { condition?: string }>;
    expect(dependsOn.api?.condition).toBe('service_healthy');
    expect(web.environment?.API_UPSTREAM).toBe('api:8000');
    // Empty: the entrypoint reads /etc/resolv.conf (Docker's 127.0.0.11 or Podman's gateway).
    expect(web.environment?.NGINX_RESOLVER ?? '').toBe('');
    expect(
      resolvedConfig([], 'NGINX_RESOLVER=10.0.0.2\n').services.web!.environment?.NGINX_RESOLVER,
    ).toBe('10.0.0.2');
    expect(web.healthcheck?.test).toEqual([
      'CMD',
      'bash',
      '/usr/local/lib/zai-chat/healthcheck.sh',
    ]);
  });

  it('runs Redis for the replicas: healthy-checked, persistent, non-root, no host port', () => {
    const redis = config().services.redis!;
    expect(redis).toBeDefined();
    expect(redis.image).toBe('redis:7-bookworm');
    expect(redis.profiles ?? []).toEqual([]);
    expect(redis.ports ?? []).toEqual([]);
    expect(redis.restart).toBe('unless-stopped');
    expect(JSON.stringify(redis.healthcheck?.test)).toMatch(/redis-cli ping/);
    expect(redis.user).toBe('redis');
    // Client keys and budgets live in Redis: its data survives a restart on a named volume.
    const command = [redis.command ?? []].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--dir \/data/);
    expect(JSON.stringify(redis.volumes)).toMatch(/redis-data.*\/data/);
  });

  it('points every replica at that Redis, after it is healthy; REDIS_URL= turns it off', () => {
    const api = config().services.api!;
    expect(api.environment?.REDIS_URL).toBe('redis://redis:6379');
    const dependsOn = api.depends_on as Record<string, { condition?: string }>;
    expect(dependsOn.redis?.condition).toBe('service_healthy');
    // Empty is kept (the API's default: no Redis), not replaced by the compose default.
    const off = resolvedConfig([], 'REDIS_URL=\n');
    expect(off.services.api!.environment?.REDIS_URL ?? '').toBe('');
  });

  it('builds all three images with the same VITE_API_URL, which web’s CSP also gets', () => {
    const argsOf = (resolved: ComposeConfig) =>
      ['api', 'web', 'sim'].map((name) => resolved.services[name]!.build?.args);
    // Identical build args keep the shared build stage shared.
    expect(argsOf(config())).toEqual(Array(3).fill({ VITE_API_URL: '' }));
    expect(config().services.web!.environment?.CSP_CONNECT_SRC ?? '').toBe('');
    const bases = '/,https://backup.example.com';
    const set = resolvedConfig(
      ['--profile', 'demo'],
      `VITE_API_URL=${bases}\nCSP_CONNECT_SRC=https://a.example\nREDIS_URL=rediss://cache.example:6380\n`,
    );
    expect(argsOf(set)).toEqual(Array(3).fill({ VITE_API_URL: bases }));
    expect(set.services.web!.environment).toMatchObject({
      VITE_API_URL: bases,
      CSP_CONNECT_SRC: 'https://a.example',
    });
    // A Redis of one's own: .env wins over the compose default.
    expect(set.services.api!.environment?.REDIS_URL).toBe('rediss://cache.example:6380');
  });

  it('keeps the simulator in the demo profile only', () => {
    const sim = config().services.sim!;
    expect(sim.profiles).toEqual(['demo']);
    expect(sim.build?.dockerfile).toBe('packages/zai-sim/Dockerfile');
    expect(JSON.stringify(sim.healthcheck?.test)).toContain('/health');
    for (const name of ['api', 'web'])
      expect(config().services[name]!.profiles ?? [], name).toEqual([]);
  });
});

describe('Dockerfiles', () => {
  const images = [
    { file: 'apps/api/Dockerfile', port: '8000' },
    { file: 'packages/zai-sim/Dockerfile', port: '4010' },
    { file: 'apps/web/Dockerfile', port: '8080' },
  ];
  const OFFICIAL_BASES = ['node:20-bookworm-slim', 'debian:bookworm-slim'];

  for (const { file, port } of images) {
    it(`${file}: official bases, final stage non-root with a healthcheck on port ${port}`, () => {
      const stages = readStages(file);
      expect(stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of stages) {
        const earlier = stages.slice(0, stages.indexOf(stage)).map((s) => s.name);
        expect([...OFFICIAL_BASES, ...earlier], `FROM ${stage.from}`).toContain(stage.from);
      }
      const final = finalStage(file);
      const users = argsOf(final, 'USER');
      expect(users.length, 'final stage sets USER').toBeGreaterThan(0);
      expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
      const healthchecks = argsOf(final, 'HEALTHCHECK');
      expect(healthchecks).toHaveLength(1);
      expect(argsOf(final, 'EXPOSE')).toContain(port);
      // The final image gets built output only, never the workspace sources.
      const copies = argsOf(final, 'COPY');
      const fromContext = copies.filter((args) => !args.includes('--from='));
      for (const args of fromContext) expect(args, file).toMatch(/^deploy\/nginx\//);
    });
  }

  it('shares one build stage, word for word, so the engine builds it once for all three', () => {
    const [first, ...others] = images.map(({ file }) => readStages(file)[0]!);
    expect(first!.name).toBe('build');
    for (const stage of others) expect(stage).toEqual(first);
  });

  it('builds from the lockfile: pinned pnpm, `pnpm fetch` before any source, offline installs', () => {
    const build = readStages('apps/api/Dockerfile')[0]!;
    const steps = build.instructions.map((i) => `${i.keyword} ${i.args}`);
    const fetchAt = steps.findIndex((s) => /^RUN pnpm fetch$/.test(s));
    expect(fetchAt, 'RUN pnpm fetch').toBeGreaterThan(0);
    // Before the fetch only the lockfile and what pnpm reads with it: the layer is keyed on it.
    expect(steps.slice(0, fetchAt).filter((s) => s.startsWith('COPY'))).toEqual([
      'COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./',
    ]);
    const runs = argsOf(build, 'RUN').join('\n');
    expect(runs).toMatch(/npm install -g pnpm@\$\{PNPM_VERSION\}/);
    expect(argsOf(build, 'ARG')).toContain('PNPM_VERSION=10.34.9');
    expect(runs).toContain('pnpm install --offline --frozen-lockfile');
    // deploy resolves nothing anew: injected workspace packages, offline, production only.
    expect(runs).toMatch(/deploy --offline\s+--config\.inject-workspace-packages=true/);
    expect(runs).toMatch(/--prod deploy/);
    expect(runs).not.toContain('--legacy');
  });

  it('uses no BuildKit-only syntax, so Docker, docker-compose v1 and Podman build them alike', () => {
    for (const { file } of images) {
      const text = readFileSync(repoPath(file), 'utf8');
      expect(text, file).not.toMatch(/^#\s*syntax=/m);
      expect(text, file).not.toMatch(/--mount=|--link\b|--chmod=|--parents\b|<<\w/);
    }
  });

  it('API and simulator images run the bundle with NODE_ENV=production', () => {
    for (const file of ['apps/api/Dockerfile', 'packages/zai-sim/Dockerfile']) {
      const final = finalStage(file);
      expect(final.from, file).toBe('node:20-bookworm-slim');
      expect(argsOf(final, 'ENV').join(' '), file).toContain('NODE_ENV=production');
      expect(argsOf(final, 'CMD')[0], file).toMatch(/^\["node", "dist\/\w+\.js"\]$/);
      expect(argsOf(final, 'HEALTHCHECK')[0], file).toMatch(/127\.0\.0\.1:\d+\/health/);
    }
    const api = finalStage('apps/api/Dockerfile');
    expect(argsOf(api, 'ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0.*PORT=8000/);
    // Production dependencies from `pnpm deploy --prod`; the simulator's bundle needs none.
    expect(argsOf(api, 'COPY')).toContain('--from=build /out/api/node_modules ./node_modules');
    expect(argsOf(finalStage('packages/zai-sim/Dockerfile'), 'COPY').join('\n')).not.toContain(
      'node_modules',
    );
  });

  it("web image: Debian's nginx with the shared nginx.conf, template and entrypoint", () => {
    const final = finalStage('apps/web/Dockerfile');
    expect(final.from).toBe('debian:bookworm-slim');
    expect(argsOf(final, 'RUN').join('\n')).toMatch(
      /apt-get install -y --no-install-recommends nginx gettext-base/,
    );
    expect(argsOf(final, 'COPY')).toEqual([
      'deploy/nginx/nginx.conf /etc/nginx/nginx.conf',
      'deploy/nginx/default.conf.template /etc/nginx/templates/default.conf.template',
      'deploy/nginx/entrypoint.sh deploy/nginx/healthcheck.sh /usr/local/lib/zai-chat/',
      '--from=build /repo/apps/web/dist /usr/share/nginx/html',
    ]);
    expect(argsOf(final, 'ENTRYPOINT')).toEqual([
      '["sh", "/usr/local/lib/zai-chat/entrypoint.sh"]',
    ]);
    expect(argsOf(final, 'CMD')).toEqual(['["nginx"]']);
    expect(argsOf(final, 'STOPSIGNAL')).toEqual(['SIGQUIT']);
    expect(argsOf(final, 'HEALTHCHECK')[0]).toContain('/usr/local/lib/zai-chat/healthcheck.sh');
    // Every template name has an image default except the resolver, which comes from the
    // container's /etc/resolv.conf unless set.
    const env = argsOf(final, 'ENV').join(' ');
    for (const name of TEMPLATE_VARIABLES) {
      if (name === 'NGINX_RESOLVER') expect(env).not.toContain(name);
      else expect(env).toMatch(new RegExp(`\\b${name}=\\S+`));
    }
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, build output and secrets out of the build context', () => {
    const lines = readFileSync(repoPath('.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of [
      'node_modules',
      '**/node_modules',
      '**/dist',
      '.env',
      '.env.*',
      '!.env.example',
      '.git',
      // Editing a Dockerfile or a test must not invalidate the shared build stage.
      'apps/*/Dockerfile',
      'packages/*/Dockerfile',
      'apps/*/test',
      '**/*.test.ts',
    ]) {
      expect(lines, entry).toContain(entry);
    }
  });
});
