import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_DIR } from './api-process';
import { findNginx, freePort } from './tools';

/**
 * Debian's nginx running the staging template (`deploy/nginx/default.conf.template`, read
 * as is, never edited here) in front of several API processes. The template proxies to
 * `http://${API_UPSTREAM}` through a variable; a variable naming an `upstream` group makes
 * nginx balance over its servers (round robin, moving on when one refuses connections), so
 * the group below stands in for Docker's DNS answering `api` with every replica.
 */
export const NGINX_TEMPLATE = join(API_DIR, '../../deploy/nginx/default.conf.template');
const TEMPLATE_NAMES = ['NGINX_LISTEN', 'NGINX_RESOLVER', 'API_UPSTREAM', 'WEB_ROOT'];
const MIME_TYPES = '/etc/nginx/mime.types';

export interface Nginx {
  readonly url: string;
  stop(): Promise<void>;
}

/** envsubst limited to the template's own names, as the web image renders it. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (match, name: string) => {
    if (!TEMPLATE_NAMES.includes(name)) return match;
    const value = values[name];
    if (!value) throw new Error(`nginx template: no value for \${${name}}`);
    return value;
  });
}

export async function startNginx(apiPorts: number[]): Promise<Nginx> {
  const bin = findNginx();
  const dir = await mkdtemp(join(tmpdir(), 'zai-chat-replicas-'));
  const port = await freePort();
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>zai-chat</title>\n');
  const server = renderTemplate(await readFile(NGINX_TEMPLATE, 'utf8'), {
    NGINX_LISTEN: `127.0.0.1:${port}`,
    // The upstream group is resolved without DNS; the directive still needs an address.
    NGINX_RESOLVER: '127.0.0.1',
    API_UPSTREAM: 'zc_replicas',
    WEB_ROOT: dir,
  });
  await writeFile(join(dir, 'default.conf'), server);
  const main = `daemon off;
${process.getuid?.() === 0 ? 'user root;\n' : ''}master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
    include ${MIME_TYPES};
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    upstream zc_replicas {
${apiPorts.map((p) => `        server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    }
    include ${dir}/default.conf;
}
`;
  const confPath = join(dir, 'nginx.conf');
  await writeFile(confPath, main);
  const child: ChildProcess = spawn(
    bin,
    ['-c', confPath, '-p', `${dir}/`, '-e', join(dir, 'error.log')],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${output}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer: ${output}`);
    await sleep(50);
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
