import { describe, expect, test } from 'vitest';
import { chooseScenario, parseDirective } from '../src/scenarios';

const base = { header: undefined, model: undefined, lastUserText: 'hi', thinkingEnabled: false };

describe('scenario choice', () => {
  test('defaults to normal, or reasoning when thinking is enabled', () => {
    expect(chooseScenario(base).name).toBe('normal');
    expect(chooseScenario({ ...base, thinkingEnabled: true }).name).toBe('reasoning');
  });

  test('header wins over model prefix and directive, keeping directive params', () => {
    const s = chooseScenario({
      header: 'stall',
      model: 'sim-drop',
      lastUserText: '[sim:slow chunks=7]',
      thinkingEnabled: false,
    });
    expect(s).toEqual({ name: 'stall', once: false, params: { chunks: 7 } });
  });

  test('model prefix selects a scenario', () => {
    expect(chooseScenario({ ...base, model: 'sim-rate-limit' }).name).toBe('rate-limit');
  });

  test('directive parses name, -once and numeric params; ignores unknown keys', () => {
    expect(parseDirective('please [sim:server-error-once delay=5 bogus=1] now')).toEqual({
      name: 'server-error',
      once: true,
      params: { delay: 5 },
    });
    expect(parseDirective('no directive here')).toBeUndefined();
  });

  test('an unknown scenario name falls back to normal instead of failing', () => {
    expect(parseDirective('[sim:nonsense]')?.name).toBe('normal');
  });

  test('tools, then web_search, then thinking are chosen automatically, only if nothing was asked', () => {
    expect(chooseScenario({ ...base, wantsTools: true, wantsWebSearch: true }).name).toBe('tools');
    expect(chooseScenario({ ...base, wantsWebSearch: true, thinkingEnabled: true }).name).toBe(
      'web-search',
    );
    expect(chooseScenario({ ...base, lastUserText: '[sim:markdown]', wantsTools: true }).name).toBe(
      'markdown',
    );
    expect(chooseScenario({ ...base, model: 'sim-nulls', wantsTools: true }).name).toBe('nulls');
  });

  test('the new scenarios and their numeric params parse from a directive', () => {
    expect(parseDirective('[sim:error-once code=1312 status=503 retry=2 reset=60]')).toEqual({
      name: 'error',
      once: true,
      params: { code: 1312, status: 503, retry: 2, reset: 60 },
    });
    expect(parseDirective('[sim:tools calls=2]')?.params).toEqual({ calls: 2 });
    expect(parseDirective('[sim:web-search results=5 hostile=1]')?.params).toEqual({
      results: 5,
      hostile: 1,
    });
    for (const name of ['split', 'nulls', 'tools', 'web-search', 'error']) {
      expect(parseDirective(`[sim:${name}]`)?.name).toBe(name);
    }
  });
});
