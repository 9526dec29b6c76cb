import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Health } from '@zai-chat/contract';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatStream, chat, chunkContent, textOf, typedChat } from './support/chat';
import {
  type EngineAddress,
  containerLogs,
  execInContainer,
  probeEngine,
  startContainer,
  stopContainer,
} from './support/engine';
import { EngineStack } from './support/engine-stack';
import { type ProbeResult, RATE_LIMIT_PROBE } from './support/rate-probe';
import { findChromium } from './support/tools';

/**
 * docker-compose.yml on a real container engine (Podman behind the Docker API here, via
 * ../shared/containers/prepare; Docker works the same way): the images built from this
 * checkout, the demo profile up with three API replicas sharing compose's Redis, everything
 * reached through nginx on the published port as a user would.
 *
 * The stack comes up once (beforeAll) and each check is its own `describe` below; later checks
 * go before the last block, which takes the stack down and looks for anything left behind.
 * Checks that change the stack put it back as they found it (three healthy replicas).
 *
 * No engine reachable: skipped with the reason printed, unless CI is set, where it fails.
 */

const CI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const engine = await probeEngine();
const skip = !engine.reachable && !CI;
if (!engine.reachable) {
  console.warn(
    `staging-engine: ${skip ? 'SKIPPED' : 'FAILING (CI is set)'}: ${engine.reason}. ` +
      'Start one with `eval "$(../shared/containers/prepare)"` (Podman) or run Docker, then re-run.',
  );
}

const REPLICAS = 3;
/**
 * The API's SIGTERM drain for this stack: a stopped replica finishes producing its answers
 * within it (LONG_PROMPTS take 6 s), inside compose's 15 s stop_grace_period.
 */
const SHUTDOWN_DRAIN_MS = 12_000;
/** nginx caches the answer for `api` this long (`resolver … valid=10s` in the template). */
const NGINX_DNS_VALID_MS = 10_000;
/**
 * Chats per client per minute, counted once across the replicas in Redis. The test's own
 * requests all come from one address and stay well below it; the rate-limit check spends
 * it from another client (a container on the compose network).
 */
const RATE_LIMIT_MAX = 200;

const STACK_ENV: Record<string, string> = {
  // The simulator, never a key from the environment.
  ZAI_API_KEY: '',
  SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN_MS),
  RATE_LIMIT_MAX: String(RATE_LIMIT_MAX),
  // One client address holds 30 streams at once here, on whichever replicas nginx picks.
  MAX_STREAMS_PER_IDENTITY: '100',
  // Six processes and a browser on 2 shared cores can stall an event loop past the default
  // 500 ms, which would count as Redis trouble; Redis really going away is checked below.
  REDIS_COMMAND_TIMEOUT_MS: '2000',
};

/** Answers long enough to be mid-stream when a replica stops, short enough for its drain. */
const LONG_PROMPTS = Array.from(
  { length: 30 },
  (_, i) => `[sim:slow ms=6000 chunks=30] staging answer ${i}`,
);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

describe.skipIf(skip)(
  `staging on a real engine (${engine.reachable ? engine.description : 'none'})`,
  () => {
    let stack: EngineStack;
    let address: EngineAddress;
    let browser: Browser | undefined;

    beforeAll(async () => {
      if (!engine.reachable) throw new Error(`CI is set and ${engine.reason}`);
      address = engine.address;
      stack = await EngineStack.up(address, {
        profiles: ['demo'],
        apiReplicas: REPLICAS,
        env: STACK_ENV,
        log: (line) => console.log(line),
      });
      // Healthy containers, and every replica connected to Redis (not `degraded`).
      await replicasReport('ok');
    }, 20 * 60_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.down();
    }, 5 * 60_000);

    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail' && stack) console.log(await stack.logs());
    });

    const replicaHostnames = async () =>
      (await stack.apiReplicas()).map((c) => c.Config.Hostname).sort();

    /**
     * Poll /health through nginx until each running replica has answered with `status`
     * (nginx picks the replica, so each must turn up). Every answer must be a 200 on the way:
     * `degraded` is still serving. Returns the last body from each replica.
     */
    async function replicasReport(
      status: 'ok' | 'degraded',
      timeoutMs = 90_000,
    ): Promise<Map<string, Health>> {
      const hosts = await replicaHostnames();
      const latest = new Map<string, Health>();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const response = await fetch(`${stack.webUrl}/health`);
        expect(response.status, 'GET /health through nginx').toBe(200);
        const health = Health.parse(await response.json());
        latest.set(health.instance, health);
        if (hosts.every((h) => latest.get(h)?.status === status)) return latest;
        await sleep(200);
      }
      const seen = [...latest].map(([h, b]) => `${h}: ${b.status} ${b.reasons?.join(', ') ?? ''}`);
      throw new Error(
        `not every replica reported ${status} in ${timeoutMs} ms: ${seen.join('; ')}`,
      );
    }

    /** The undisturbed answers to LONG_PROMPTS, by chunkContent (set by the spread check). */
    let reference: string[][] = [];

    describe('docker-compose --profile demo up -d --build', () => {
      it('runs redis, sim, web and three API replicas, healthy and as non-root users', async () => {
        const containers = await stack.containers();
        const byService = (service: string) =>
          containers.filter((c) => c.Config.Labels['com.docker.compose.service'] === service);
        expect(byService('api')).toHaveLength(REPLICAS);
        expect(byService('web')).toHaveLength(1);
        expect(byService('sim')).toHaveLength(1);
        expect(byService('redis')).toHaveLength(1);
        for (const c of containers) {
          expect(c.State.Health?.Status, c.Name).toBe('healthy');
          expect(c.Config.User, c.Name).not.toMatch(/^(|root|0)(:|$)/);
        }
      });

      it('answers /health through nginx from one of the replicas', async () => {
        const response = await fetch(`${stack.webUrl}/health`);
        expect(response.status).toBe(200);
        const health = Health.parse(await response.json());
        expect(health.status).toBe('ok');
        expect(health.upstream).toBe('simulator');
        expect(await replicaHostnames()).toContain(health.instance);
        expect(response.headers.get('x-instance-id')).toBe(health.instance);
      });

      it('streams a chat unbuffered and uncompressed to data: [DONE]', async () => {
        const stream = await ChatStream.open(
          stack.webUrl,
          '[sim:slow ms=2000 chunks=20] stream me through nginx',
        );
        expect(stream.status).toBe(200);
        expect(stream.headers.get('content-encoding')).toBeNull();
        const events = await stream.finish();
        expect(events.at(-1)).toMatchObject({ type: 'done' });
        const chunks = events.filter((e) => e.type === 'chunk');
        expect(chunks.length).toBeGreaterThanOrEqual(20);
        expect(textOf(events).length).toBeGreaterThan(0);
        // Paced over 2 s, the frames arrive as they are produced, in many reads; a buffering
        // proxy would hand them over at the end in one or two.
        expect(stream.reads).toBeGreaterThanOrEqual(10);
      });

      it('serves the SPA, which Chromium loads and chats through', async () => {
        browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('requestfailed', (r) =>
          problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`),
        );

        const response = await page.goto(`${stack.webUrl}/`, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        // The app's own health poll reached the API through nginx.
        await page
          .getByTestId('connection')
          .and(page.locator('[data-state="online"]'))
          .waitFor({ timeout: 30_000 });
        const input = page.getByLabel('Message', { exact: true });
        await input.fill('[sim:slow ms=1000 chunks=10] Hello from staging');
        await input.press('Enter');
        const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
        await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
        expect((await answer.getByTestId('message-content').innerText()).length).toBeGreaterThan(0);
        expect(problems).toEqual([]);
        await page.close();
      }, 90_000);
    });

    describe('three API replicas behind nginx, sharing Redis', () => {
      it('spreads 30 concurrent streams over all three, every one complete (the reference)', async () => {
        const runs = LONG_PROMPTS.map((prompt) => typedChat(stack.webUrl, prompt));
        const ends = await Promise.all(runs.map((r) => r.done));
        expect(ends.map((e) => e.error)).toEqual(Array(runs.length).fill(undefined));
        const spread: Record<string, number> = {};
        for (const run of runs) {
          spread[run.instance] = (spread[run.instance] ?? 0) + 1;
          expect(run.chunks.length, run.prompt).toBeGreaterThanOrEqual(20);
          // Undisturbed: nobody had to resume.
          expect(run.resumedOn, run.prompt).toEqual([]);
        }
        console.log(`30 streams over the replicas: ${JSON.stringify(spread)}`);
        expect(Object.keys(spread).sort()).toEqual(await replicaHostnames());
        reference = runs.map((r) => r.chunks);
      }, 120_000);

      it('resumes a dropped stream from another replica with Last-Event-ID, each frame once', async () => {
        const prompt = LONG_PROMPTS[0]!;
        expect(reference[0], 'the reference run').toBeDefined();
        const first = await ChatStream.open(stack.webUrl, prompt);
        expect(first.status).toBe(200);
        expect(first.headers.get('x-stream-resumable')).toBe('true');
        expect(first.streamId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
        await first.readChunks(5);
        // Numbered frames 1, 2, …; the connection drops after the last one read.
        const firstIds = first.events.map((e) => ('id' in e ? e.id : undefined));
        expect(firstIds).toEqual(firstIds.map((_, i) => String(i + 1)));
        const lastEventId = firstIds.at(-1)!;
        await first.close();

        // nginx picks the replica: ask again until one other than the producer answers.
        let resumed: ChatStream | undefined;
        const answeredBy: string[] = [];
        for (let attempt = 0; attempt < 30 && !resumed; attempt++) {
          const candidate = await ChatStream.resume(stack.webUrl, first.streamId, lastEventId);
          expect(candidate.status).toBe(200);
          answeredBy.push(candidate.instance);
          if (candidate.instance !== first.instance) resumed = candidate;
          else await candidate.close();
        }
        expect(resumed, `resumes answered by ${answeredBy.join(', ')}`).toBeDefined();
        expect(resumed!.instance).not.toBe(first.instance);
        const events = await resumed!.finish();

        // The frames after Last-Event-ID, in order, each once, [DONE] last.
        expect(events.at(-1)?.type).toBe('done');
        const ids = events.map((e) => ('id' in e ? Number(e.id) : NaN));
        expect(ids).toEqual(ids.map((_, i) => Number(lastEventId) + 1 + i));
        expect(events.filter((e) => e.type === 'error')).toEqual([]);
        // Together the same answer as an undisturbed run of the prompt.
        const received = [...first.chunks, ...resumed!.chunks].map((e) => chunkContent(e.chunk));
        expect(received).toEqual(reference[0]);
        console.log(
          `resume: produced on ${first.instance}, dropped after frame ${lastEventId}, ` +
            `resumed on ${resumed!.instance} (${answeredBy.length} tries)`,
        );
      }, 120_000);

      it(`counts the rate limit once across the replicas: the ${RATE_LIMIT_MAX + 1}th chat gets 429 on any`, async () => {
        const [sim] = await stack.containers('sim');
        // Another client address than the test's: nginx sees the simulator's container.
        const probe = await execInContainer(address, sim!.Id, ['node', '-e', RATE_LIMIT_PROBE], {
          env: {
            URL: 'http://web:8080/api/chat',
            PROMPT: '[sim:slow ms=0 chunks=1] count me',
            LIMIT: String(RATE_LIMIT_MAX),
            REPLICAS: String(REPLICAS),
          },
          timeoutMs: 180_000,
        });
        expect(probe.exitCode, probe.stderr).toBe(0);
        const { within, over } = JSON.parse(probe.stdout) as ProbeResult;

        expect(within.filter((a) => a.status !== 200)).toEqual([]);
        // Answered by all three, and counted on one counter: each remaining value once.
        expect(new Set(within.map((a) => a.instance)).size).toBe(REPLICAS);
        expect(within.map((a) => a.remaining).sort((a, b) => a! - b!)).toEqual(
          Array.from({ length: RATE_LIMIT_MAX }, (_, i) => i),
        );
        // Every chat after those is refused, by every replica.
        expect(over.length).toBeGreaterThan(0);
        for (const answer of over) {
          expect(answer).toMatchObject({ status: 429, code: 'rate_limited', remaining: 0 });
          expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
        }
        expect([...new Set(over.map((a) => a.instance))].sort()).toEqual(await replicaHostnames());
        // Counted per client: the test's own address still chats.
        const mine = await chat(stack.webUrl, '[sim:slow ms=0 chunks=1] not me');
        expect(mine.last).toMatchObject({ type: 'done' });
        const spread: Record<string, number> = {};
        for (const a of within) spread[a.instance!] = (spread[a.instance!] ?? 0) + 1;
        console.log(
          `rate limit: ${RATE_LIMIT_MAX} chats spread ${JSON.stringify(spread)}, ` +
            `then ${over.length} refused with 429 by all ${REPLICAS} replicas`,
        );
      }, 240_000);
    });

    describe('stopping one of three replicas while streams run', () => {
      it('moves its clients to the others, every answer complete and identical; no new request fails', async () => {
        const replicas = await stack.apiReplicas();
        expect(replicas).toHaveLength(REPLICAS);
        expect(reference, 'the reference run').toHaveLength(LONG_PROMPTS.length);

        // The same prompts as the reference, all flowing before the stop.
        const runs = LONG_PROMPTS.map((prompt) => typedChat(stack.webUrl, prompt));
        await waitFor(
          () => runs.every((r) => r.chunks.length >= 3 && r.instance),
          'every stream flowing',
        );
        const counts = new Map<string, number>();
        for (const r of runs) counts.set(r.instance, (counts.get(r.instance) ?? 0) + 1);
        const [victimHost] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
        const victim = replicas.find((r) => r.Config.Hostname === victimHost);
        expect(victim, `replica ${victimHost}`).toBeDefined();
        const onVictim = runs.filter((r) => r.instance === victimHost);
        const onOthers = runs.filter((r) => r.instance !== victimHost);
        expect(onOthers.length, 'streams on the replicas that stay').toBeGreaterThan(0);

        try {
          // `docker stop` with compose's stop_grace_period: SIGTERM, then the API drains.
          let stoppedAt: number | undefined;
          const stopping = stopContainer(address, victim!.Id, 15).then(() => {
            stoppedAt = Date.now();
          });

          // New requests, two at a time, from the stop until nginx has had to re-resolve `api`
          // after the replica left the engine's DNS. Through the typed client, as the web app
          // sends them: a chat the stopping replica accepted just before its SIGTERM is one of
          // its streams, told to reconnect, and must complete elsewhere like the others.
          const failures: string[] = [];
          let sent = 0;
          const lane = async () => {
            while (stoppedAt === undefined || Date.now() - stoppedAt < NGINX_DNS_VALID_MS + 1_000) {
              sent += 1;
              try {
                const run = typedChat(stack.webUrl, `[sim:slow ms=1000 chunks=5] new ${sent}`);
                const { error } = await run.done;
                if (error !== undefined || run.chunks.join('') === '') {
                  const resumed = run.resumedOn.length
                    ? `, resumed on ${run.resumedOn.join()}`
                    : '';
                  const why =
                    error === undefined
                      ? 'no text'
                      : error instanceof Error
                        ? error.message
                        : JSON.stringify(error);
                  failures.push(`chat on ${run.instance}${resumed}: ${why}`);
                }
                const health = await fetch(`${stack.webUrl}/health`);
                await health.arrayBuffer();
                if (health.status !== 200) failures.push(`/health → ${health.status}`);
              } catch (err) {
                failures.push(`request failed: ${(err as Error).message}`);
              }
            }
          };
          await Promise.all([stopping, lane(), lane()]);
          expect(failures, `${failures.length} of ${sent} new chats failed`).toEqual([]);
          expect(sent).toBeGreaterThan(10);

          const ends = await Promise.all(runs.map((r) => r.done));
          // Every answer complete and, chunk for chunk, the undisturbed one.
          expect(ends.map((e) => e.error)).toEqual(Array(runs.length).fill(undefined));
          runs.forEach((run, i) => expect(run.chunks, run.prompt).toEqual(reference[i]));
          // The victim's clients were told to reconnect and went on through another replica.
          for (const run of onVictim) {
            expect(run.resumedOn.length, run.prompt).toBeGreaterThanOrEqual(1);
            expect(run.resumedOn, run.prompt).not.toContain(victimHost);
          }
          for (const run of onOthers) expect(run.resumedOn, run.prompt).toEqual([]);

          // The API finished producing its answers and exited by itself, before any SIGKILL.
          const [stopped] = (await stack.containers('api')).filter((c) => c.Id === victim!.Id);
          expect(stopped?.State.Running).toBe(false);
          expect(stopped?.State.ExitCode).toBe(0);
          const drained = drainedLine((await containerLogs(address, victim!.Id)).stdout);
          expect(drained, 'its "drained" log line').toBeDefined();
          expect(drained!.terminated).toBe(0);
          expect(drained!.finished).toBeGreaterThanOrEqual(onVictim.length);
          console.log(
            `stopped ${victimHost}: its ${onVictim.length} clients resumed on ` +
              `${[...new Set(onVictim.flatMap((r) => r.resumedOn))].join(', ')} and got complete ` +
              `answers, identical to the undisturbed run (as did the other ${onOthers.length}); ` +
              `it drained ${drained!.finished} answers; ` +
              `${sent} new chats (and /health) during and after the stop, none failed`,
          );
        } finally {
          await Promise.all(runs.map((r) => r.done));
          await startContainer(address, victim!.Id);
          await stack.waitHealthy();
          await replicasReport('ok');
        }
      }, 240_000);
    });

    describe('Redis stopped while chats run', () => {
      it('degrades /health on every replica, keeps chats streaming, recovers when it returns', async () => {
        const [redis] = await stack.containers('redis');
        const [keysOn, keysCheckedOn] = await stack.apiReplicas();
        // A client key created on one replica, kept in Redis (on its volume).
        const keyName = `staging-${randomBytes(4).toString('hex')}`;
        const created = await execInContainer(address, keysOn!.Id, [
          'node',
          'dist/cli/keys.js',
          'create',
          keyName,
        ]);
        expect(created.exitCode, created.stderr).toBe(0);
        expect(created.stdout.trim().split('\n').at(-1)).toMatch(/^zc_\S+$/);

        // Answers already streaming when Redis goes.
        const before = LONG_PROMPTS.slice(0, 6).map((prompt) => typedChat(stack.webUrl, prompt));
        await waitFor(() => before.every((r) => r.chunks.length >= 3), 'streams flowing');

        let restarted = false;
        const timeline: string[] = [];
        const since = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)} s`;
        try {
          const stoppedAt = Date.now();
          await stopContainer(address, redis!.Id, 10);
          const degraded = await replicasReport('degraded');
          timeline.push(
            `all ${degraded.size} replicas degraded ${since(stoppedAt)} after the stop`,
          );
          for (const health of degraded.values()) {
            expect(health.reasons?.join(' ')).toMatch(/^redis: /);
          }

          // New chats while it is down: served by the replicas alone, never a 5xx, not
          // registered for resuming.
          const during = await Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              chat(stack.webUrl, `[sim:slow ms=1000 chunks=5] while Redis is down ${i}`),
            ),
          );
          for (const stream of during) {
            expect(stream.status).toBe(200);
            expect(stream.last).toMatchObject({ type: 'done' });
            expect(stream.headers.get('x-stream-resumable')).not.toBe('true');
          }

          timeline.push(`${during.length} chats served meanwhile`);
          const startedAt = Date.now();
          await startContainer(address, redis!.Id);
          restarted = true;
          // Back on shared state without restarting any replica.
          await replicasReport('ok');
          timeline.push(`all ok ${since(startedAt)} after the start`);
        } finally {
          if (!restarted) await startContainer(address, redis!.Id).catch(() => undefined);
        }

        // The streams that ran through it all completed, identical to the undisturbed run.
        const ends = await Promise.all(before.map((r) => r.done));
        expect(ends.map((e) => e.error)).toEqual(Array(before.length).fill(undefined));
        before.forEach((run, i) => expect(run.chunks, run.prompt).toEqual(reference[i]));

        // New answers are resumable again; the key survived the restart, seen from another replica.
        const after = await ChatStream.open(stack.webUrl, '[sim:slow ms=500 chunks=5] after');
        expect(after.headers.get('x-stream-resumable')).toBe('true');
        expect((await after.finish()).at(-1)).toMatchObject({ type: 'done' });
        const listed = await execInContainer(address, keysCheckedOn!.Id, [
          'node',
          'dist/cli/keys.js',
          'list',
        ]);
        expect(listed.exitCode, listed.stderr).toBe(0);
        expect(listed.stdout).toContain(keyName);
        expect(listed.stdout).not.toMatch(/zc_[A-Za-z0-9_-]{20,}/);
        await stack.waitHealthy();
        console.log(
          `Redis stopped: ${timeline.join('; ')}; the ${before.length} answers streaming ` +
            'across it complete and identical; a client key kept',
        );
      }, 240_000);
    });

    // Keep last: it takes the stack down.
    describe('docker-compose down -v', () => {
      it(
        'leaves no container, network or volume of the project behind',
        async () => {
          expect(await stack.down()).toEqual({ containers: [], networks: [], volumes: [] });
        },
        5 * 60_000,
      );
    });
  },
);

/** Poll `condition` every 100 ms until it holds; fail after `timeoutMs`. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The API's `drained` log line (pino JSON), which says how its SIGTERM drain went. */
function drainedLine(log: string): { finished: number; terminated: number } | undefined {
  for (const line of log.split('\n')) {
    try {
      const entry = JSON.parse(line) as { msg?: string; finished?: number; terminated?: number };
      if (entry.msg === 'drained') {
        return { finished: entry.finished ?? -1, terminated: entry.terminated ?? -1 };
      }
    } catch {
      // Not a log entry of the API's.
    }
  }
  return undefined;
}
