import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export { freePort } from '@zai-chat/api/test/support/tools';

export interface RunningProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout + stderr so far (the last 64 KiB), for failure messages. */
  output(): string;
  /** Exit code or signal once exited, else undefined. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

const MAX_OUTPUT = 64 * 1024;

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: string | undefined;
  const append = (data: Buffer) => {
    output = (output + data.toString('utf8')).slice(-MAX_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.on('error', (err) => {
    exit ??= `spawn error: ${err.message}`;
  });
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit ??= signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
  });

  return {
    name,
    child,
    output: () => output,
    exited: () => exit,
    async stop() {
      if (exit !== undefined || child.pid === undefined) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exitedPromise.then(() => true),
        sleep(10_000).then(() => false),
      ]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    },
  };
}

/** Poll `url` until it answers 2xx; fail early with the process's output if it dies first. */
export async function waitForHttp(
  url: string,
  proc: RunningProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const exit = proc.exited();
    if (exit !== undefined) {
      throw new Error(`${proc.name} exited (${exit}) before ${url} answered:\n${proc.output()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      lastError = `status ${response.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(100);
  }
  throw new Error(
    `${proc.name}: ${url} did not answer within ${timeoutMs} ms (${lastError}):\n${proc.output()}`,
  );
}
