import { findNginx, requireTool } from '@zai-chat/api/test/support/tools';

export { findNginx, requireTool };

export const findChromium = () =>
  requireTool({
    name: 'chromium',
    envVar: 'CHROMIUM_PATH',
    candidates: ['/usr/bin/chromium'],
    aptPackage: 'chromium',
  });

export const findDockerCompose = () =>
  requireTool({
    name: 'docker-compose',
    envVar: 'DOCKER_COMPOSE',
    candidates: ['/usr/bin/docker-compose'],
    aptPackage: 'docker-compose',
  });

/** envsubst renders the template in the web image; the tests run the image's entrypoint with it. */
export const findEnvsubst = () =>
  requireTool({
    name: 'envsubst',
    envVar: 'ENVSUBST_BIN',
    candidates: ['/usr/bin/envsubst'],
    aptPackage: 'gettext-base',
  });
