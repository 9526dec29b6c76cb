import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../src/index';
import { parseDirective } from '../src/scenarios';

/** `wait` withholds the response headers; `gap` withholds the first chunk after the headers. */
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

interface Timeline {
  status: number;
  headersAt: number;
  firstBodyAt: number;
  body: string;
}

/** Raw http so the moment headers arrive is observable separately from the first body byte. */
function timeline(content: string, stream = true): Promise<Timeline> {
  const payload = JSON.stringify({
    model: 'glm-4.6',
    stream,
    messages: [{ role: 'user', content }],
  });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}/chat/completions`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.apiKey}` },
      },
      (res) => {
        const headersAt = performance.now() - started;
        let firstBodyAt = -1;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (firstBodyAt < 0) firstBodyAt = performance.now() - started;
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headersAt, firstBodyAt, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('wait and gap directive params', () => {
  test('are parsed alongside the others', () => {
    expect(parseDirective('[sim:normal wait=250 gap=40 chunks=3]')?.params).toEqual({
      wait: 250,
      gap: 40,
      chunks: 3,
    });
  });

  test('wait delays the response headers of a stream', async () => {
    const t = await timeline('hi [sim:normal wait=400]');
    expect(t.status).toBe(200);
    expect(t.headersAt).toBeGreaterThanOrEqual(380);
    expect(t.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  test('wait also delays error answers and non-stream answers', async () => {
    const err = await timeline('hi [sim:server-error wait=300]');
    expect(err.status).toBe(500);
    expect(err.headersAt).toBeGreaterThanOrEqual(280);
    const json = await timeline('hi [sim:normal wait=300]', false);
    expect(json.status).toBe(200);
    expect(json.headersAt).toBeGreaterThanOrEqual(280);
  });

  test('gap sends headers at once, then nothing until the gap has passed', async () => {
    const t = await timeline('hi [sim:normal gap=500]');
    expect(t.status).toBe(200);
    expect(t.headersAt).toBeLessThan(300);
    expect(t.firstBodyAt - t.headersAt).toBeGreaterThanOrEqual(400);
    expect(t.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  test('a client leaving during wait or gap releases the request', async () => {
    for (const directive of ['[sim:normal wait=10000]', '[sim:normal gap=10000]']) {
      const controller = new AbortController();
      const pending = fetch(`${sim.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.apiKey}` },
        body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: directive }] }),
        signal: controller.signal,
      })
        .then((res) => res.text())
        .catch(() => undefined);
      await expect.poll(() => sim.openRequests()).toBe(1);
      controller.abort();
      await pending;
      await sim.waitForOpenRequests(0, 2000);
    }
  });
});
