import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Headers that can hold credentials are censored wherever they appear;
 * request bodies (message content) are never logged by the HTTP serializers.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
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
  };
  // Tests pass a stream to read the lines the production configuration writes.
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
