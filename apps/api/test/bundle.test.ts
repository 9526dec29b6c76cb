import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The production bundle (built by `tsup` before tests run) keeps the simulator out of the
 * code every API loads: it is a separate chunk, imported only when no ZAI_API_KEY is set.
 */
const DIST = fileURLToPath(new URL('../dist', import.meta.url));
/** A string only the simulator's request handler contains. */
const SIMULATOR_MARKER = 'x-zai-sim-scenario';

describe('dist/server.js', () => {
  it('does not contain the simulator; a lazily imported chunk does', () => {
    const entry = readFileSync(join(DIST, 'server.js'), 'utf8');
    expect(entry).not.toContain(SIMULATOR_MARKER);
    const chunks = readdirSync(DIST).filter((f) => f.endsWith('.js') && f !== 'server.js');
    const simChunk = chunks.find((f) =>
      readFileSync(join(DIST, f), 'utf8').includes(SIMULATOR_MARKER),
    );
    expect(simChunk).toBeDefined();
    expect(entry).toContain(`import("./${simChunk}")`);
  });
});
