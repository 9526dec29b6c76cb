import { generateOpenApi } from '@ts-rest/open-api';
import { contract } from '@zai-chat/contract';
import type { Express } from 'express';

/**
 * The OpenAPI document generated from the contract, so it can never describe routes the API
 * does not serve (a test compares the two). Streamed routes also answer `text/event-stream`.
 */
export function openApiDocument(version: string) {
  return generateOpenApi(
    contract,
    {
      info: {
        title: 'zai-chat API',
        version,
        description:
          'Chat with Z.AI GLM models through a relay that keeps the key server-side. `/api/*` is the app’s own contract; `/v1/*` is OpenAI-compatible.',
      },
    },
    {
      setOperationId: 'concatenated-path',
      operationMapper: (operation, route) => {
        const stream = (route.metadata as { streamContentType?: string } | undefined)
          ?.streamContentType;
        const ok = operation.responses?.['200'] as
          { content?: Record<string, unknown> } | undefined;
        if (stream && ok?.content) {
          ok.content[stream] = {
            schema: {
              type: 'string',
              description:
                'Server-Sent Events: `data: <chat.completion.chunk>` frames, then `data: [DONE]` (or an error frame).',
            },
          };
        }
        return operation;
      },
    },
  );
}

export function mountOpenApi(app: Express, version: string): void {
  const document = JSON.stringify(openApiDocument(version));
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
}
