import { ChatApiError } from '@zai-chat/contract';
import { describe, expect, it } from 'vitest';
import { noBackendAnswered, restOf } from './backendStream';

async function* numbers(...values: number[]) {
  for (const v of values) yield await Promise.resolve(v);
}

async function collect(source: AsyncIterable<number>) {
  const out: number[] = [];
  for await (const v of source) out.push(v);
  return out;
}

describe('restOf', () => {
  it('yields the first result already read, then the rest', async () => {
    const chunks = numbers(1, 2, 3);
    const first = await chunks.next();
    expect(await collect(restOf(first, chunks))).toEqual([1, 2, 3]);
  });

  it('yields nothing for a stream that was already done', async () => {
    const chunks = numbers();
    expect(await collect(restOf(await chunks.next(), chunks))).toEqual([]);
  });
});

describe('noBackendAnswered', () => {
  it('keeps the failure seen', () => {
    const seen = new ChatApiError({ code: 'upstream_error', message: 'x', requestId: 'r' });
    expect(noBackendAnswered(seen)).toBe(seen);
  });

  it('says the API could not be reached when no backend failed in words of its own', () => {
    expect(noBackendAnswered(undefined)).toMatchObject({ code: 'api_unreachable' });
  });
});
