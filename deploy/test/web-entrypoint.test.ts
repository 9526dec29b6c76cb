import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NGINX_TEMPLATE_PATH,
  TEMPLATE_VARIABLES,
  readMainConfig,
  renderTemplate,
} from '../src/nginx';
import { repoPath } from './support/repo';
import { findEnvsubst, findNginx } from './support/tools';

/**
 * deploy/nginx/entrypoint.sh, the web image's entrypoint, run here as the image runs it (sh,
 * envsubst from gettext-base) with a stand-in /etc/resolv.conf: it picks the engine's DNS
 * server, renders the template exactly like deploy/src/nginx.ts, and refuses to start
 * without a value.
 */

const ENTRYPOINT = repoPath('deploy/nginx/entrypoint.sh');
const IMAGE_DEFAULTS = { NGINX_LISTEN: '8080', API_UPSTREAM: 'api:8000', WEB_ROOT: '/srv/www' };

/** /etc/resolv.conf as each engine writes it into a container on a compose network. */
const RESOLV_CONF = {
  docker: 'nameserver 127.0.0.11\nsearch example.internal\noptions edns0 trust-ad ndots:0\n',
  podman:
    '# written by netavark\nsearch dns.podman\nnameserver 10.89.0.1\nnameserver 10.255.255.53\n',
  ipv6: 'nameserver fd00:dead:beef::1\n',
  none: '# no nameserver at all\n',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zai-chat-entrypoint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runEntrypoint(resolvConf: string, env: Record<string, string> = {}) {
  const resolvPath = join(dir, 'resolv.conf');
  await writeFile(resolvPath, resolvConf);
  const runDir = join(dir, 'run');
  await rm(runDir, { recursive: true, force: true });
  // `true` stands in for nginx: the script execs its arguments after rendering.
  const result = spawnSync('sh', [ENTRYPOINT, 'true'], {
    encoding: 'utf8',
    env: {
      // Only what the container would have, plus the test knobs; envsubst found on PATH.
      PATH: `${dirname(findEnvsubst())}:/usr/bin:/bin`,
      ...IMAGE_DEFAULTS,
      NGINX_TEMPLATE: NGINX_TEMPLATE_PATH,
      NGINX_RUN_DIR: runDir,
      RESOLV_CONF: resolvPath,
      ...env,
    },
  });
  const rendered = await readFile(join(runDir, 'default.conf'), 'utf8').catch(() => undefined);
  return { ...result, rendered };
}

const resolverOf = (conf: string | undefined) => /^\s*resolver (\S+) /m.exec(conf ?? '')?.[1];

describe('web image entrypoint', () => {
  it("takes Docker's embedded DNS from resolv.conf", async () => {
    const run = await runEntrypoint(RESOLV_CONF.docker);
    expect(run.status, run.stderr).toBe(0);
    expect(resolverOf(run.rendered)).toBe('127.0.0.11');
  });

  it("takes Podman's gateway DNS, the first of its nameservers", async () => {
    const run = await runEntrypoint(RESOLV_CONF.podman);
    expect(run.status, run.stderr).toBe(0);
    expect(resolverOf(run.rendered)).toBe('10.89.0.1');
    expect(run.stderr).toContain('resolver 10.89.0.1');
  });

  it('puts an IPv6 nameserver in brackets, as nginx requires', async () => {
    const run = await runEntrypoint(RESOLV_CONF.ipv6);
    expect(resolverOf(run.rendered)).toBe('[fd00:dead:beef::1]');
  });

  it('uses NGINX_RESOLVER when it is set', async () => {
    const run = await runEntrypoint(RESOLV_CONF.podman, { NGINX_RESOLVER: '192.0.2.53' });
    expect(resolverOf(run.rendered)).toBe('192.0.2.53');
  });

  it('refuses to start without a nameserver or with an empty value, rendering nothing', async () => {
    const noDns = await runEntrypoint(RESOLV_CONF.none);
    expect(noDns.status).toBe(64);
    expect(noDns.stderr).toContain('NGINX_RESOLVER is empty');
    expect(noDns.rendered).toBeUndefined();

    const noListen = await runEntrypoint(RESOLV_CONF.docker, { NGINX_LISTEN: '' });
    expect(noListen.status).toBe(64);
    expect(noListen.stderr).toContain('NGINX_LISTEN is empty');
  });

  it('renders exactly what the tests render, nginx variables untouched', async () => {
    const run = await runEntrypoint(RESOLV_CONF.podman);
    const template = await readFile(NGINX_TEMPLATE_PATH, 'utf8');
    expect(run.rendered).toBe(
      renderTemplate(template, { ...IMAGE_DEFAULTS, NGINX_RESOLVER: '10.89.0.1' }),
    );
    expect(run.rendered).toContain('$zc_request_id');
    expect(run.rendered).not.toMatch(/\$\{[A-Z_]+\}/);
  });

  it('substitutes the names TEMPLATE_VARIABLES lists, no more, no fewer', async () => {
    const script = await readFile(ENTRYPOINT, 'utf8');
    const list = /envsubst '([^']+)'/.exec(script)?.[1];
    expect(list, 'envsubst with a list of names').toBeDefined();
    const names = [...list!.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    expect(names.sort()).toEqual([...TEMPLATE_VARIABLES].sort());
  });

  it("produces a config Debian's nginx accepts inside the image's nginx.conf", async () => {
    const run = await runEntrypoint(RESOLV_CONF.podman, { WEB_ROOT: dir });
    expect(run.status, run.stderr).toBe(0);
    const runDir = join(dir, 'run');
    const confPath = join(runDir, 'nginx.conf');
    await writeFile(
      confPath,
      await readMainConfig({ dir: runDir, runAsRoot: process.getuid?.() === 0 }),
    );
    const check = spawnSync(
      findNginx(),
      ['-t', '-c', confPath, '-p', `${runDir}/`, '-e', join(runDir, 'error.log')],
      { encoding: 'utf8' },
    );
    expect(check.stderr).toContain('test is successful');
    expect(check.status).toBe(0);
  });
});
