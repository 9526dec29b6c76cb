import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NGINX_TEMPLATE_PATH,
  TEMPLATE_VARIABLES,
  readMainConfig,
  renderTemplate,
} from '../src/nginx';
import { freePort, startProcess, waitForHttp } from './support/processes';
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
/** The connect-src sources of a CSP header value. */
const connectSrcOf = (csp: string | null | undefined) =>
  /connect-src ([^;]*);/.exec(csp ?? '')?.[1];
/** The CSP a rendered server block sends (`set $zc_csp "…";`). */
const cspOf = (conf: string | undefined) => /^\s*set \$zc_csp "([^"]*)";/m.exec(conf ?? '')?.[1];

/** A fallback build's API bases (README § The web app), and more origins for the CSP. */
const OTHER_APIS = {
  VITE_API_URL: '/,https://backup.example.com/api/,http://10.0.0.5:8000',
  CSP_CONNECT_SRC:
    "https://metrics.example, https://backup.example.com 'self' http://[fd00::5]:8443",
};
const OTHER_APIS_CONNECT_SRC =
  "'self' https://backup.example.com http://10.0.0.5:8000 https://metrics.example http://[fd00::5]:8443";

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

  it("keeps the CSP's connect-src at 'self' when the app calls only its own origin", async () => {
    const run = await runEntrypoint(RESOLV_CONF.docker, { VITE_API_URL: '/', CSP_CONNECT_SRC: '' });
    expect(run.status, run.stderr).toBe(0);
    expect(connectSrcOf(cspOf(run.rendered))).toBe("'self'");
  });

  it('adds the origins of VITE_API_URL and CSP_CONNECT_SRC to connect-src, once each', async () => {
    const run = await runEntrypoint(RESOLV_CONF.docker, OTHER_APIS);
    expect(run.status, run.stderr).toBe(0);
    expect(connectSrcOf(cspOf(run.rendered))).toBe(OTHER_APIS_CONNECT_SRC);
    expect(run.stderr).toContain(`connect-src ${OTHER_APIS_CONNECT_SRC}`);
    // Nothing else changed: with connect-src put back, it is the plain rendering.
    const template = await readFile(NGINX_TEMPLATE_PATH, 'utf8');
    expect(run.rendered!.replace(OTHER_APIS_CONNECT_SRC, "'self'")).toBe(
      renderTemplate(template, { ...IMAGE_DEFAULTS, NGINX_RESOLVER: '127.0.0.11' }),
    );
  });

  it('refuses anything but an http(s) origin there, rendering nothing', async () => {
    for (const bad of [
      'https://evil.example;script-src', // a second directive
      "https://a.example'", // out of the quoted nginx string
      'https://a.example"',
      'javascript:alert(1)',
      'ftp://files.example',
      '*',
      'https://',
      'backup.example.com',
    ]) {
      const run = await runEntrypoint(RESOLV_CONF.docker, { CSP_CONNECT_SRC: bad });
      expect(run.status, bad).toBe(64);
      expect(run.stderr, bad).toContain('is not an http(s) origin');
      expect(run.rendered, bad).toBeUndefined();
    }
    const fromBuild = await runEntrypoint(RESOLV_CONF.docker, { VITE_API_URL: '/,data:x' });
    expect(fromBuild.status).toBe(64);
  });

  it('makes nginx send that connect-src in the CSP of the app it serves', async () => {
    const webRoot = join(dir, 'www');
    await rm(webRoot, { recursive: true, force: true });
    await mkdir(webRoot);
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>zai-chat</title>\n');
    const port = await freePort();
    const run = await runEntrypoint(RESOLV_CONF.docker, {
      ...OTHER_APIS,
      NGINX_LISTEN: `127.0.0.1:${port}`,
      WEB_ROOT: webRoot,
    });
    expect(run.status, run.stderr).toBe(0);
    const runDir = join(dir, 'run');
    const confPath = join(runDir, 'nginx.conf');
    await writeFile(
      confPath,
      await readMainConfig({ dir: runDir, runAsRoot: process.getuid?.() === 0 }),
    );
    const nginx = startProcess('nginx', findNginx(), [
      '-c',
      confPath,
      '-p',
      `${runDir}/`,
      '-e',
      join(runDir, 'error.log'),
    ]);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, nginx);
      for (const path of ['/', '/chats/some-id', '/index.html']) {
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        await response.arrayBuffer();
        expect(response.status, path).toBe(200);
        const csp = response.headers.get('content-security-policy');
        expect(connectSrcOf(csp), path).toBe(OTHER_APIS_CONNECT_SRC);
        expect(csp, path).toContain("default-src 'self'");
      }
    } finally {
      await nginx.stop();
    }
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
