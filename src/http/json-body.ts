import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';

declare module 'koa' {
  interface Request {
    /** The parsed JSON body; unknown until a schema has checked it. */
    body?: unknown;
  }
}

export interface JsonBodyOptions {
  limitBytes: number;
  /** Builds the error thrown for a body that is too large or not JSON. */
  tooLarge: (limit: number) => Error;
  invalid: (detail: string) => Error;
  /** Builds the error thrown for JSON holding text the database cannot store (names the field). */
  unstorable: (detail: string) => Error;
  /** Given (OCPI), text must also be printable: builds the error for a control character or non-character. */
  nonPrintable?: (detail: string) => Error;
  /** Content types read but not parsed (e.g. `text/csv`): the text is in `ctx.state.rawBody` only. */
  textTypes?: string[];
}

/** How much of a refused body's rest is read and thrown away before the connection is given up. */
const DRAIN_LIMIT_FACTOR = 4;
const DRAIN_MS = 10_000;

/**
 * Reads and discards the rest of a body refused as too large, so the 413 can be read by the client
 * and the next request on a keep-alive connection is parsed (raw-body leaves the stream paused, and
 * closing with unread data would reset the connection under the 413). A client that sends far more,
 * or for too long, has its connection closed.
 */
function drainRefusedBody(req: IncomingMessage, limitBytes: number): void {
  if (req.readableEnded) return;
  let discarded = 0;
  const giveUp = () => req.socket.destroy();
  const timer = setTimeout(giveUp, DRAIN_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_LIMIT_FACTOR * limitBytes) giveUp();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

/** NUL, and a surrogate half without its other half: valid JSON escapes, but not text PostgreSQL stores. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What OCPI strings may not hold: "Only printable UTF-8 allowed. (Non-printable characters like:
 * Carriage returns, Tabs, Line breaks, etc are not allowed)" (types.asciidoc, string; CiString says
 * the same of ASCII). Control characters (C0, DEL, C1) and non-characters are not printable.
 */
const NON_PRINTABLE = /[\p{Cc}\p{Noncharacter_Code_Point}]/u;

const describeChar = (text: string, pattern: RegExp) => {
  const code = text.codePointAt(pattern.exec(text)!.index)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
};

/** What one walk over a body found: the first unstorable text, else the first non-printable one. */
interface TextFindings {
  unstorable?: string;
  nonPrintable?: string;
}

/**
 * One walk over a parsed JSON value: where the first key or string holding unstorable text is (that
 * ends the walk: it is refused whatever else the body holds), and, when `printable` is asked for,
 * where the first non-printable one is, e.g. `evses.0.connectors.1.id holds U+0000`. Iterative: a body
 * may nest deeper than the stack.
 */
function findText(value: unknown, printable: boolean): TextFindings {
  const found: TextFindings = {};
  const check = (text: string, at: string): boolean => {
    if (UNSTORABLE.test(text)) {
      found.unstorable = `${at} holds ${describeChar(text, UNSTORABLE)}`;
      return true;
    }
    if (printable && found.nonPrintable === undefined && NON_PRINTABLE.test(text)) found.nonPrintable = `${at} holds ${describeChar(text, NON_PRINTABLE)}`;
    return false;
  };
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: item, path } = stack.pop()!;
    if (typeof item === 'string') {
      if (check(item, path || '(the body)')) return found;
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const childPath = path ? `${path}.${key}` : key;
        if (check(key, `the key ${JSON.stringify(childPath)}`)) return found;
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return found;
}

/**
 * Reads a bounded request body and parses it as JSON into `ctx.request.body`; the raw text stays in
 * `ctx.state.rawBody` (webhook signatures are computed over it). JSON holding NUL or a lone surrogate
 * is refused here, once for every route: PostgreSQL stores neither in text or jsonb.
 */
export function jsonBody({ limitBytes, tooLarge, invalid, unstorable, nonPrintable, textTypes }: JsonBodyOptions): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { limit: limitBytes, encoding: 'utf8', length: ctx.get('content-length') || undefined });
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') {
        drainRefusedBody(ctx.req, limitBytes);
        throw tooLarge(limitBytes);
      }
      throw invalid('the request body could not be read');
    }
    ctx.state.rawBody = raw;
    if (raw.trim() === '' || (textTypes && ctx.is(textTypes))) {
      ctx.request.body = undefined;
      return next();
    }
    try {
      ctx.request.body = JSON.parse(raw);
    } catch (error) {
      throw invalid((error as Error).message);
    }
    const found = findText(ctx.request.body, nonPrintable !== undefined);
    if (found.unstorable) throw unstorable(`${found.unstorable}, which no text field may hold`);
    if (found.nonPrintable && nonPrintable) throw nonPrintable(`${found.nonPrintable}, which is not printable`);
    return next();
  };
}
