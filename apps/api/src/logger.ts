import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Headers that can hold credentials are censored wherever they appear;
 * request bodies (message content) are never logged by the HTTP serializers.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'zai-chat-api' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'apiKey',
        '*.apiKey',
        'upstream.apiKey',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
