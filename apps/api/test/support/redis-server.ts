import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, requireTool } from './tools';

/**
 * A real `redis-server` (Debian's package) on a loopback port of its own, without
 * persistence. A missing binary fails the test with the install command: never a skip.
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stop it (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Start it again on the same port, empty. */
  restart(): Promise<void>;
  /** A plain client to look at what the API stored (the test's own connection). */
  client(): Redis;
  /** Calls per command name since start (or the last CONFIG RESETSTAT), from INFO commandstats. */
  commandCalls(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export const findRedisServer = () =>
  requireTool({
    name: 'redis-server',
    envVar: 'REDIS_SERVER_BIN',
    candidates: ['/usr/bin/redis-server'],
    aptPackage: 'redis-server',
  });

// Servers still running when this process exits (a failed or interrupted run) are killed
// with it: one exit listener for all of them.
const running = new Set<ChildProcess>();
let exitHooked = false;
function killOnExit(proc: ChildProcess): void {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => running.forEach((p) => p.kill('SIGKILL')));
  }
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
}

/**
 * Used by the API's tests, the web app's e2e specs (resumable streams) and the benchmark's
 * Redis figure (imported as `@zai-chat/api/test/support/redis-server`).
 */
export async function startRedis(): Promise<RedisServer> {
  const bin = findRedisServer();
  let port = await freePort();
  let child: ChildProcess | undefined;
  let inspector: Redis | undefined;

  const launch = async () => {
    const proc = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    killOnExit(proc);
    let output = '';
    proc.stdout.on('data', (b: Buffer) => (output += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (await answersPing(port)) {
        child = proc;
        return;
      }
      await sleep(50);
    }
    proc.kill('SIGKILL');
    throw new Error(`redis-server did not answer on ${port}: ${output}`);
  };

  // The port may be taken between freePort() and the bind: try a few.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      port = await freePort();
    }
  }

  const stopChild = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
  };

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: stopChild,
    restart: async () => {
      await stopChild();
      await launch();
    },
    client() {
      inspector ??= new Redis(port, '127.0.0.1', { lazyConnect: false, maxRetriesPerRequest: 1 });
      inspector.on('error', () => undefined);
      return inspector;
    },
    async commandCalls() {
      const info = await server.client().info('commandstats');
      const calls: Record<string, number> = {};
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
        calls[match[1]!] = Number(match[2]);
      return calls;
    },
    stop: async () => {
      inspector?.disconnect();
      inspector = undefined;
      await stopChild();
    },
  };
  return server;
}

async function answersPing(port: number): Promise<boolean> {
  try {
    return (await rawPing(port)).includes('PONG');
  } catch {
    return false;
  }
}

/** PING over a bare socket: ready once it answers +PONG. */
function rawPing(port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no reply to PING'));
    }, timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (b) => {
      reply += b.toString();
      if (reply.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(reply);
      }
    });
    socket.write('PING\r\n');
  });
}
