import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../metrics';
import { BURST_QUIET_MS, CapReporter } from './cap-reporter';

const logs: { cap: string; hits?: number; msg: string }[] = [];
const logger = {
  warn: (obj: { cap: string; hits?: number }, msg: string) => logs.push({ ...obj, msg }),
} as unknown as ConstructorParameters<typeof CapReporter>[1];

afterEach(() => {
  logs.length = 0;
  vi.useRealTimers();
});

describe('CapReporter', () => {
  it('logs the first hit of a burst and its total when the burst goes quiet; counts every hit', async () => {
    vi.useFakeTimers();
    const metrics = createMetrics();
    const reporter = new CapReporter(metrics, logger);
    for (let i = 0; i < 500; i++) {
      reporter.hit('connections');
      vi.advanceTimersByTime(BURST_QUIET_MS / 10);
    }
    expect(logs).toEqual([{ cap: 'connections', msg: 'cap reached' }]);
    vi.advanceTimersByTime(BURST_QUIET_MS);
    expect(logs).toEqual([
      { cap: 'connections', msg: 'cap reached' },
      { cap: 'connections', hits: 500, msg: 'cap burst ended' },
    ]);
    reporter.hit('connections');
    expect(logs).toHaveLength(3);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/zai_chat_cap_hits_total\{cap="connections"\} 501/);
    reporter.close();
  });

  it('bursts of different caps are separate', () => {
    vi.useFakeTimers();
    const reporter = new CapReporter(createMetrics(), logger);
    reporter.hit('streams');
    reporter.hit('budget');
    reporter.hit('streams');
    expect(logs.map((l) => l.cap)).toEqual(['streams', 'budget']);
    reporter.close();
  });
});
