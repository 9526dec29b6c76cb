import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { expect } from '@playwright/test';
import { freePort } from './servers';

/**
 * A real `redis-server` (Debian's package) on a loopback port of its own, without persistence,
 * for the specs of resumable streams. A missing binary fails the spec with the install command.
 */
export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export function findRedisServer(): string {
  const candidates = [
    process.env.REDIS_SERVER_BIN,
    '/usr/bin/redis-server',
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'redis-server')),
  ].filter((f): f is string => !!f);
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  throw new Error(
    'redis-server not found (tried $REDIS_SERVER_BIN, /usr/bin/redis-server and PATH). ' +
      'Install it with `apt-get install -y redis-server` (.ci/run does), or set REDIS_SERVER_BIN.',
  );
}

export async function startRedis(): Promise<RedisServer> {
  const bin = findRedisServer();
  // The port may be taken between freePort() and the bind: a few tries.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    try {
      await expect
        .poll(async () => (child.exitCode === null ? ping(port) : 'exited'), {
          timeout: 15_000,
          intervals: [50, 100, 250],
        })
        .toMatch(/PONG|exited/);
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      return { url: `redis://127.0.0.1:${port}`, stop: () => kill(child) };
    } catch (err) {
      await kill(child);
      if (attempt >= 3) throw err;
    }
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** PING over a bare socket: '+PONG' once the server answers, '' until then. */
function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => (socket.destroy(), resolve('')), 2000);
    socket.on('error', () => (clearTimeout(timer), resolve('')));
    socket.on('data', (b) => {
      reply += b.toString();
      if (!reply.endsWith('\r\n')) return;
      clearTimeout(timer);
      socket.end();
      resolve(reply);
    });
    socket.write('PING\r\n');
  });
}
