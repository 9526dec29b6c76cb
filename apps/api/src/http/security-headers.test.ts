import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './security-headers';

const headersOf = async (middleware: express.RequestHandler) => {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => void res.send('ok'));
  const res = await request(app).get('/');
  const { date: _date, etag: _etag, ...rest } = res.headers as Record<string, string>;
  return rest;
};

describe('securityHeaders', () => {
  it('sends exactly what helmet sends, computed once', async () => {
    const fromHelmet = await headersOf(helmet());
    expect(Object.keys(fromHelmet)).toContain('content-security-policy');
    expect(await headersOf(securityHeaders())).toEqual(fromHelmet);
  });
});
