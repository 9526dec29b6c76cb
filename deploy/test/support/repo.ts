import { fileURLToPath } from 'node:url';

/** The monorepo root: compose files and Dockerfiles are read and run relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const repoPath = (relative: string) =>
  fileURLToPath(new URL(relative, new URL('../../../', import.meta.url)));
