import { expect, test } from 'vitest';
import { median, percentile, pool, ramp } from '../src/measure';
import { interleave } from '../src/targets';

test('interleave runs every target once per round, rotating which goes first', async () => {
  const order: string[] = [];
  const out = await interleave(3, ['api', 'pipe', 'direct'], async (name, round) => {
    order.push(`${round}:${name}`);
    return round;
  });
  expect(order).toEqual([
    '0:api',
    '0:pipe',
    '0:direct',
    '1:pipe',
    '1:direct',
    '1:api',
    '2:direct',
    '2:api',
    '2:pipe',
  ]);
  expect(out).toEqual({ api: [0, 1, 2], pipe: [0, 1, 2], direct: [0, 1, 2] });
});

test('median of rounds ignores rounds without a figure; percentiles are nearest-rank', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([Number.NaN, 5])).toBe(5);
  expect(median([])).toBeNaN();
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(xs, 50)).toBe(50);
  expect(percentile(xs, 99)).toBe(99);
  expect(percentile([7], 99)).toBe(7);
});

test('pool is a closed loop: never more than `concurrency` in flight, every item done once', async () => {
  let inFlight = 0;
  let most = 0;
  const done = await pool(20, 4, async (i) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return i;
  });
  expect(most).toBe(4);
  expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('ramp keeps at most `opening` tasks starting, and returns once all have started', async () => {
  let starting = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const tasks = await ramp(10, 3, (started) => {
    most = Math.max(most, ++starting);
    setImmediate(() => {
      starting--;
      started();
    });
    return new Promise<number>((end) => release.push(() => end(1)));
  });
  expect(most).toBe(3);
  expect(tasks).toHaveLength(10);
  expect(release).toHaveLength(10); // all started, none ended
  for (const end of release) end();
  expect(await Promise.all(tasks)).toEqual(Array(10).fill(1));
});

test('a task that ends without starting frees its slot', async () => {
  const tasks = await ramp(5, 1, async () => 'failed');
  expect(await Promise.all(tasks)).toEqual(Array(5).fill('failed'));
});
