import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** deploy/nginx/default.conf.template: the server block the web image and the smoke test share. */
export const NGINX_TEMPLATE_PATH = fileURLToPath(
  new URL('../nginx/default.conf.template', import.meta.url),
);

/** The only names the template may use; the image's entrypoint.sh substitutes the same. */
export const TEMPLATE_VARIABLES = [
  'NGINX_LISTEN',
  'NGINX_RESOLVER',
  'API_UPSTREAM',
  'WEB_ROOT',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Record<TemplateVariable, string>;

/**
 * Render like the image's envsubst with its list of names: `${NAME}` is replaced for the known
 * names only, so nginx's own `$variables` pass through untouched. A known name without a value
 * is an error rather than an empty string, which nginx would reject far less clearly.
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (match, name: string) => {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) return match;
    const value = values[name as TemplateVariable];
    if (!value) throw new Error(`nginx template: no value for \${${name}}`);
    return value;
  });
}

export async function renderNginxTemplate(values: TemplateValues): Promise<string> {
  return renderTemplate(await readFile(NGINX_TEMPLATE_PATH, 'utf8'), values);
}

/** deploy/nginx/nginx.conf: the web image's main config, which includes the rendered template. */
export const NGINX_MAIN_CONFIG_PATH = fileURLToPath(
  new URL('../nginx/nginx.conf', import.meta.url),
);

/** Where the image's nginx.conf keeps everything nginx writes, and the rendered server block. */
export const IMAGE_RUN_DIR = '/tmp/nginx/';

/** The image logs requests to the container's stdout, a pipe there. */
const IMAGE_ACCESS_LOG = 'access_log /dev/stdout;';

/**
 * The image's own nginx.conf for running Debian's nginx as a child process. Three changes,
 * everything else is the image's: the run directory moved to `dir` (pid, temp files and the
 * rendered server block, expected at `<dir>/default.conf`); the access log into `dir`, since
 * a child's stdout is a socket that /dev/stdout cannot be opened on (ENXIO); and, when the
 * test runs as root, `user root`, so nginx does not switch its workers to "nobody" (no such
 * group on Debian).
 */
export function mainConfig(main: string, opts: { dir: string; runAsRoot: boolean }): string {
  const dir = opts.dir.endsWith('/') ? opts.dir : `${opts.dir}/`;
  for (const expected of [IMAGE_RUN_DIR, IMAGE_ACCESS_LOG]) {
    if (!main.includes(expected)) throw new Error(`nginx.conf: no "${expected}" to replace`);
  }
  const moved = main
    .split(IMAGE_RUN_DIR)
    .join(dir)
    .replace(IMAGE_ACCESS_LOG, `access_log ${dir}access.log;`);
  return opts.runAsRoot ? `user root;\n${moved}` : moved;
}

export async function readMainConfig(opts: { dir: string; runAsRoot: boolean }): Promise<string> {
  return mainConfig(await readFile(NGINX_MAIN_CONFIG_PATH, 'utf8'), opts);
}
