import type { ChatChunk } from '@zai-chat/contract';
import { expect, test, vi } from 'vitest';
import type { StreamDelta } from './reducer';
import { StreamBatcher } from './streamBatcher';

const chunk = (
  content: string,
  extra: Partial<NonNullable<ChatChunk['choices']>[number]> = {},
): ChatChunk => ({
  id: 'x',
  created: 1,
  model: 'glm-4.6',
  choices: [{ index: 0, delta: { content }, ...extra }],
});

test('many chunks become one delivery per frame, in order, with nothing lost', async () => {
  vi.useFakeTimers();
  const delivered: StreamDelta[] = [];
  const batcher = new StreamBatcher((d) => delivered.push(d), 50);
  for (let i = 0; i < 100; i++) batcher.push(chunk(String(i % 10)));
  expect(delivered).toHaveLength(0);
  vi.advanceTimersByTime(60);
  expect(delivered).toHaveLength(1);
  batcher.push(chunk('!', { finish_reason: 'stop' }));
  batcher.flush();
  batcher.flush();
  expect(delivered).toHaveLength(2);
  expect(delivered.map((d) => d.content).join('')).toBe('0123456789'.repeat(10) + '!');
  expect(delivered[1]).toMatchObject({ finishReason: 'stop', model: 'glm-4.6' });
  vi.useRealTimers();
});
