import { initServer } from '@ts-rest/express';
import { type ErrorStatus, contract } from '@zai-chat/contract';
import { describe, expect, it } from 'vitest';
import { chatRoute } from '../src/routes/chat';

/**
 * Statuses are checked at compile time: `tsc` (the typecheck task) fails if a handler answers
 * a status its route does not list, or if an ERRORS status is missing from a route. The
 * `@ts-expect-error` lines below are themselves errors if the mistake they mark ever compiles.
 */
const s = initServer();

describe('the contract types the API', () => {
  it('refuses a handler that answers a status the route does not list', () => {
    const route = s.route(
      contract.config,
      // @ts-expect-error 418 is not a status of GET /api/config
      () =>
        Promise.resolve({
          status: 418,
          body: { error: { code: 'internal', message: 'm', requestId: 'r' } },
        }),
    );
    expect(typeof route).toBe('function');
  });

  it('refuses a body that does not match the status it is sent with', () => {
    const route = s.route(
      contract.health,
      // @ts-expect-error a health body needs its fields
      () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
    );
    expect(typeof route).toBe('function');
  });

  it('lists every error status on every route that can fail', () => {
    type ChatStatuses = keyof typeof contract.chat.responses;
    type V1Statuses = keyof typeof contract.openAi.chatCompletions.responses;
    const everyErrorIsListed: [ErrorStatus] extends [ChatStatuses & V1Statuses] ? true : false =
      true;
    expect(everyErrorIsListed).toBe(true);
    expect(typeof chatRoute).toBe('function');
  });
});
