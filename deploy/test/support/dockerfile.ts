import { readFileSync } from 'node:fs';
import { repoPath } from './repo';

export interface Stage {
  from: string;
  name: string | undefined;
  /** Instructions with continuation lines joined, comments dropped. */
  instructions: Array<{ keyword: string; args: string }>;
}

/** Split a Dockerfile into stages: enough structure to check what the final image contains. */
export function readStages(relativePath: string): Stage[] {
  const text = readFileSync(repoPath(relativePath), 'utf8');
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

export function finalStage(relativePath: string): Stage {
  const stage = readStages(relativePath).at(-1);
  if (!stage) throw new Error(`${relativePath}: no FROM`);
  return stage;
}

export const argsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
