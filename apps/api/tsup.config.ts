import { defineConfig } from 'tsup';

// Workspace packages are consumed as TypeScript source, so they are bundled in; third-party
// dependencies stay external and come from the production node_modules (pnpm deploy).
export default defineConfig({
  entry: ['src/server.ts', 'src/cli/keys.ts'],
  format: 'esm',
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  noExternal: [/^@zai-chat\//],
});
