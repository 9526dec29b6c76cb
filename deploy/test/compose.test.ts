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

  it('passes every variable of apps/api/src/config.ts to the API', () => {
    const source = readFileSync(repoPath('apps/api/src/config.ts'), 'utf8');
    const schema = source.slice(
      source.indexOf('EnvSchema = z.object({'),
      source.indexOf('});', source.indexOf('EnvSchema')),
    );
    const names = [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
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
      if (name !== 'web') expect(service.ports ?? [], name).toEqual([]);
    }
    expect(publishedPorts(resolvedConfig([], 'WEB_PORT=9090\n').services.web!)).toEqual(['9090']);
  });

  it('starts web after the API is healthy and points nginx at Docker DNS', () => {
    const web = config().services.web!;
    const dependsOn = web.depends_on as Record<string, { condition?: string }>;
    expect(dependsOn.api?.condition).toBe('service_healthy');
    expect(web.environment?.API_UPSTREAM).toBe('api:8000');
    expect(web.environment?.NGINX_RESOLVER).toBe('127.0.0.11');
    expect(JSON.stringify(web.healthcheck?.test)).toContain('/healthz');
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

  for (const { file, port } of images) {
    it(`${file}: multi-stage, final stage non-root with a healthcheck on port ${port}`, () => {
      const stages = readStages(file);
      expect(stages.length).toBeGreaterThanOrEqual(2);
      const final = finalStage(file);
      const users = argsOf(final, 'USER');
      expect(users.length, 'final stage sets USER').toBeGreaterThan(0);
      expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
      const healthchecks = argsOf(final, 'HEALTHCHECK');
      expect(healthchecks).toHaveLength(1);
      expect(healthchecks[0]).toContain(`127.0.0.1:${port}/health`);
      expect(argsOf(final, 'EXPOSE')).toContain(port);
      // The final image gets built output only, never the workspace sources.
      expect(argsOf(final, 'COPY').every((args) => args.includes('--from='))).toBe(
        !file.startsWith('apps/web'),
      );
      // Builds pin pnpm and install exactly the lockfile.
      const build = stages[0]!;
      expect(argsOf(build, 'RUN').join('\n')).toMatch(/npm install -g pnpm@/);
      expect(argsOf(build, 'RUN').join('\n')).toContain('--frozen-lockfile');
    });
  }

  it('API and simulator images ship production dependencies only', () => {
    for (const file of ['apps/api/Dockerfile', 'packages/zai-sim/Dockerfile']) {
      const runs = argsOf(readStages(file)[0]!, 'RUN').join('\n');
      expect(runs, file).toMatch(/deploy --prod/);
      const final = finalStage(file);
      expect(argsOf(final, 'ENV').join(' '), file).toContain('NODE_ENV=production');
      expect(argsOf(final, 'CMD')[0], file).toMatch(/^\["node", "dist\/\w+\.js"\]$/);
    }
    expect(argsOf(finalStage('apps/api/Dockerfile'), 'ENV').join(' ')).toMatch(
      /HOST=0\.0\.0\.0.*PORT=8000/,
    );
  });

  it('web image renders the shared nginx template and substitutes only its variables', () => {
    const final = finalStage('apps/web/Dockerfile');
    expect(final.from).toMatch(/^nginxinc\/nginx-unprivileged:1\.27-alpine$/);
    expect(argsOf(final, 'COPY')).toContain(
      'deploy/nginx/default.conf.template /etc/nginx/templates/default.conf.template',
    );
    expect(argsOf(final, 'COPY').join('\n')).toContain('/repo/apps/web/dist /usr/share/nginx/html');
    const env = argsOf(final, 'ENV').join(' ');
    const filter = /NGINX_ENVSUBST_FILTER="([^"]+)"/.exec(env)?.[1];
    expect(filter, 'NGINX_ENVSUBST_FILTER').toBeDefined();
    const pattern = new RegExp(filter!);
    for (const name of TEMPLATE_VARIABLES) {
      expect(pattern.test(name), `${name} is substituted`).toBe(true);
      // Each variable has an image default, so the template never renders empty.
      expect(env).toMatch(new RegExp(`\\b${name}=\\S+`));
    }
    for (const name of ['NGINX_LISTENER', 'HOST', 'PATH', 'request_id'])
      expect(pattern.test(name), name).toBe(false);
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
    ]) {
      expect(lines, entry).toContain(entry);
    }
  });
});
