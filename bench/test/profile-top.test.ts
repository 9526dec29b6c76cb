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
  // Sample i is charged timeDeltas[i + 1], at most twice the median (100 µs): idle 100, handle
  // 100 + 200 (a 5 ms gap, capped), relay 100 + 100 (two nodes) + 0, writev 100.
  // Sampled at 1100, 1200, 1300, 1400, 1500, 1600, 6600.
  samples: [2, 3, 4, 5, 6, 3, 4],
  timeDeltas: [100, 100, 100, 100, 100, 100, 5000],
};

test('self time is summed per function and file across call-tree nodes, idle apart', () => {
  const s = summarise(profile);
  expect(s.totalMs).toBeCloseTo(0.7);
  expect(s.idleMs).toBeCloseTo(0.1);
  expect(s.frames.map((f) => [f.functionName, f.selfMs])).toEqual([
    ['handle', expect.closeTo(0.3)],
    ['relay', expect.closeTo(0.2)],
    ['writev', expect.closeTo(0.1)],
  ]);
  expect(s.frames[1]!.location).toBe('apps/api/dist/server.js:100');
  expect(s.frames[0]!.share).toBeCloseTo(0.3 / 0.6);
});

test('a window keeps only the samples inside it', () => {
  // 1150..1450 keeps the samples at 1200 (handle), 1300 and 1400 (relay)
  const s = summarise(profile, 15, { fromUs: 1150, toUs: 1450 });
  expect(s.frames.map((f) => f.functionName)).toEqual(['relay', 'handle']);
  expect(s.idleMs).toBe(0);
});

test('top limits the rows; modules group packages, node internals and our code', () => {
  expect(summarise(profile, 1).frames).toHaveLength(1);
  const modules = Object.fromEntries(summarise(profile).modules.map((m) => [m.module, m.selfMs]));
  expect(modules).toEqual({
    'apps/api': expect.closeTo(0.2) as number,
    'node: internals': expect.closeTo(0.1) as number,
    express: expect.closeTo(0.3) as number,
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
