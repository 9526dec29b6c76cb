import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  IMAGE_RUN_DIR,
  NGINX_MAIN_CONFIG_PATH,
  NGINX_TEMPLATE_PATH,
  TEMPLATE_VARIABLES,
  readMainConfig,
  renderTemplate,
} from '../src/nginx';
import { findNginx } from './support/tools';

const IMAGE_VALUES = {
  NGINX_LISTEN: '8080',
  NGINX_RESOLVER: '127.0.0.11',
  API_UPSTREAM: 'api:8000',
  WEB_ROOT: '/usr/share/nginx/html',
};

describe('nginx template', () => {
  it('uses exactly the declared variables, so the image filter and the test renderer agree', async () => {
    const template = await readFile(NGINX_TEMPLATE_PATH, 'utf8');
    const used = new Set(
      [...template.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]),
    );
    expect([...used].sort()).toEqual([...TEMPLATE_VARIABLES].sort());
  });

  it('renders the known names and leaves nginx variables alone', () => {
    const rendered = renderTemplate(
      'listen ${NGINX_LISTEN}; set $a http://${API_UPSTREAM}; ${OTHER} $request_id ${WEB_ROOT} ${NGINX_RESOLVER}',
      IMAGE_VALUES,
    );
    expect(rendered).toBe(
      'listen 8080; set $a http://api:8000; ${OTHER} $request_id /usr/share/nginx/html 127.0.0.11',
    );
  });

  it('image nginx.conf: everything nginx writes is under the run dir, so it runs as non-root', async () => {
    const main = await readFile(NGINX_MAIN_CONFIG_PATH, 'utf8');
    const writes = [...main.matchAll(/^\s*(pid|\w+_temp_path)\s+(\S+);/gm)];
    expect(writes.map((m) => m[1]).sort()).toEqual([
      'client_body_temp_path',
      'fastcgi_temp_path',
      'pid',
      'proxy_temp_path',
      'scgi_temp_path',
      'uwsgi_temp_path',
    ]);
    for (const [, directive, path] of writes)
      expect(path, directive).toMatch(new RegExp(`^${IMAGE_RUN_DIR}`));
    expect(main).toContain(`include ${IMAGE_RUN_DIR}default.conf;`);
    expect(main).toMatch(/^error_log stderr/m);
    expect(main).not.toMatch(/^\s*user\s/m);
  });

  it('refuses to render a known name without a value', () => {
    expect(() =>
      renderTemplate('listen ${NGINX_LISTEN};', { ...IMAGE_VALUES, NGINX_LISTEN: '' }),
    ).toThrow(/NGINX_LISTEN/);
  });

  it('is accepted by `nginx -t` with the image values (Docker DNS, api:8000)', async () => {
    const nginx = findNginx();
    const dir = await mkdtemp(join(tmpdir(), 'zai-chat-nginx-t-'));
    try {
      const serverConfPath = join(dir, 'default.conf');
      await writeFile(
        serverConfPath,
        renderTemplate(await readFile(NGINX_TEMPLATE_PATH, 'utf8'), IMAGE_VALUES),
      );
      const confPath = join(dir, 'nginx.conf');
      await writeFile(confPath, await readMainConfig({ dir, runAsRoot: process.getuid?.() === 0 }));
      const result = spawnSync(
        nginx,
        ['-t', '-c', confPath, '-p', `${dir}/`, '-e', join(dir, 'error.log')],
        {
          encoding: 'utf8',
        },
      );
      expect(result.stderr).toContain('test is successful');
      expect(result.status).toBe(0);

      // And the check can fail: a stray brace is a syntax error.
      await writeFile(serverConfPath, `${await readFile(serverConfPath, 'utf8')}\n}`);
      const broken = spawnSync(
        nginx,
        ['-t', '-c', confPath, '-p', `${dir}/`, '-e', join(dir, 'error.log')],
        {
          encoding: 'utf8',
        },
      );
      expect(broken.status).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
