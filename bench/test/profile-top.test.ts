import { expect, test } from 'vitest';
import { type CpuProfile, moduleOf, shortUrl, summarise } from '../src/profile-top';

const NM = 'file:///repo/node_modules/.pnpm';
// Nodes: root → a (express) → b (api) ; a second node for the same function b under root.
const profile: CpuProfile = {
  startTime: 1_000,
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
    { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    {
      id: 3,
      callFrame: {
        functionName: 'handle',
        url: `${NM}/express@5.1.0/node_modules/express/lib/router/layer.js`,
        lineNumber: 9,
      },
    },
    {
      id: 4,
      callFrame: {
        functionName: 'relay',
        url: 'file:///repo/apps/api/dist/server.js',
        lineNumber: 99,
      },
    },
    {
      id: 5,
      callFrame: {
        functionName: 'relay',
        url: 'file:///repo/apps/api/dist/server.js',
        lineNumber: 99,
      },
    },
    {
      id: 6,
      callFrame: {
        functionName: 'writev',
        url: 'node:internal/stream_base_commons',
        lineNumber: 0,
      },
    },
  ],
  // Sample i is charged timeDeltas[i + 1]: idle 100, handle 200, relay 300 + 400 (two nodes),
  // writev 50, handle 1. Sampled at 1010, 1110, 1310, 1610, 2010, 2060.
  samples: [2, 3, 4, 5, 6, 3],
  timeDeltas: [10, 100, 200, 300, 400, 50, 1],
};

test('self time is summed per function and file across call-tree nodes, idle apart', () => {
  const s = summarise(profile);
  expect(s.totalMs).toBeCloseTo(1.051);
  expect(s.idleMs).toBeCloseTo(0.1);
  expect(s.frames.map((f) => [f.functionName, f.selfMs])).toEqual([
    ['relay', expect.closeTo(0.7)],
    ['handle', expect.closeTo(0.201)],
    ['writev', expect.closeTo(0.05)],
  ]);
  expect(s.frames[0]!.location).toBe('apps/api/dist/server.js:100');
  expect(s.frames[0]!.share).toBeCloseTo(0.7 / 0.951);
});

test('a window keeps only the samples inside it', () => {
  // 1100..1700 keeps the samples at 1110 (handle), 1310 and 1610 (relay)
  const s = summarise(profile, 15, { fromUs: 1100, toUs: 1700 });
  expect(s.frames.map((f) => f.functionName)).toEqual(['relay', 'handle']);
  expect(s.idleMs).toBe(0);
});

test('top limits the rows; modules group packages, node internals and our code', () => {
  expect(summarise(profile, 1).frames).toHaveLength(1);
  const modules = Object.fromEntries(summarise(profile).modules.map((m) => [m.module, m.selfMs]));
  expect(modules).toEqual({
    'apps/api': expect.closeTo(0.7),
    'node: internals': expect.closeTo(0.05),
    express: expect.closeTo(0.201),
  });
});

test('urls are shortened to a package path or a repository path', () => {
  expect(shortUrl(`${NM}/@ts-rest+core@3/node_modules/@ts-rest/core/index.js`)).toBe(
    '@ts-rest/core/index.js',
  );
  expect(shortUrl('file:///work/x/packages/contract/dist/index.js')).toBe(
    'packages/contract/dist/index.js',
  );
  expect(moduleOf(`${NM}/@ts-rest+core@3/node_modules/@ts-rest/core/index.js`, 'f')).toBe(
    '@ts-rest/core',
  );
  expect(moduleOf('', '(garbage collector)')).toBe('(garbage collector)');
  expect(moduleOf('', 'writeUtf8String')).toBe('(native)');
});
