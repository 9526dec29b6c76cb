import express, { type RequestHandler } from 'express';
import { nestsDeeperThan } from './json-depth';

/**
 * express.json with the body size limit and a nesting-depth check on the raw bytes, run by
 * body-parser's `verify` hook before JSON.parse. Errors carry body-parser-style types that
 * `errorHandler` maps to typed 4xx answers.
 */
export function jsonBody(limits: { bodyBytes: number; maxJsonDepth: number }): RequestHandler {
  return express.json({
    limit: limits.bodyBytes,
    strict: true,
    verify: (_req, _res, buf) => {
      if (nestsDeeperThan(buf, limits.maxJsonDepth)) {
        throw Object.assign(
          new Error(`The JSON body nests deeper than ${limits.maxJsonDepth} levels.`),
          { status: 400, type: 'entity.too.deep' },
        );
      }
    },
  });
}
