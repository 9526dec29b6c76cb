import { accessSync, constants } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * Find an executable a test drives (nginx, redis-server, chromium…; the API tests, the web e2e,
 * the bench and the staging tests). Missing tools FAIL the test with the install
 * command (CI's .ci/run installs them with apt-get); they are never a reason to skip.
 */
export function requireTool(opts: {
  name: string;
  envVar: string;
  candidates: string[];
  aptPackage: string;
}): string {
  const fromEnv = process.env[opts.envVar];
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const tried = [
    ...(fromEnv ? [fromEnv] : []),
    ...opts.candidates,
    ...pathDirs.map((dir) => join(dir, opts.name)),
  ];
  for (const file of tried) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Try the next candidate.
    }
  }
  throw new Error(
    `${opts.name} not found (tried $${opts.envVar}, ${opts.candidates.join(', ')} and PATH). ` +
      `Install it with \`apt-get install -y ${opts.aptPackage}\` (.ci/run does), or set ${opts.envVar}.`,
  );
}

export const findNginx = () =>
  requireTool({
    name: 'nginx',
    envVar: 'NGINX_BIN',
    candidates: ['/usr/sbin/nginx'],
    aptPackage: 'nginx',
  });

/** A port that was free a moment ago, for a program that cannot pick one (redis-server, nginx). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}
