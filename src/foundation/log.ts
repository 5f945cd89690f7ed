import pino, { type DestinationStream, type Logger } from 'pino';

/** Structured JSON logs. Credentials never reach a log line: headers are not logged, and these paths are redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'token_a', '*.token_a'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
