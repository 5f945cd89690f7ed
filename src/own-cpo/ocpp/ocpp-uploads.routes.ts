import Router from '@koa/router';
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import getRawBody from 'raw-body';
import { type ChargerFiles, MAX_CHARGER_FILE_BYTES, uploadedFile } from '../chargers/charger-files';

/** A token as ChargerFiles makes them (24 random bytes, base64url). */
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

function plain(ctx: { status: number; body: unknown; type: string }, status: number, text: string): void {
  ctx.status = status;
  ctx.type = 'text/plain';
  ctx.body = text;
}

/**
 * `/ocpp-uploads/<token>[/<file name>]`, for chargers (no admin key: the unguessable token is the
 * credential, as in a pre-signed URL): PUT or POST uploads the diagnostics or log the URL was made for
 * (once; a raw body or multipart/form-data), GET downloads the firmware it serves. Chargers append a
 * file name to a "directory" location, hence the optional last segment. Answers are plain text: FTP-
 * minded chargers read only the HTTP status.
 */
export function ocppUploadsStack(deps: { chargerFiles: ChargerFiles; log: Logger }): Middleware {
  const router = new Router({ prefix: '/ocpp-uploads' });
  const receive = async (ctx: Parameters<Middleware>[0], token: string, name: string | undefined) => {
    if (!TOKEN.test(token)) return plain(ctx, 404, 'Unknown upload URL');
    let body: Buffer;
    try {
      body = await getRawBody(ctx.req, { limit: MAX_CHARGER_FILE_BYTES, length: ctx.get('content-length') || undefined });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') return plain(ctx, 413, `Files larger than ${MAX_CHARGER_FILE_BYTES} bytes are not taken`);
      return plain(ctx, 400, 'The upload could not be read');
    }
    const file = uploadedFile(ctx.get('content-type') || undefined, body, name);
    if (!(await deps.chargerFiles.receive(token, file))) return plain(ctx, 404, 'Unknown, expired or already used upload URL');
    deps.log.info({ bytes: file.content.length }, 'a charger uploaded a file');
    plain(ctx, 201, 'Stored');
  };
  for (const path of ['/:token', '/:token/:name']) {
    router.put(path, (ctx) => receive(ctx, ctx.params.token, ctx.params.name));
    router.post(path, (ctx) => receive(ctx, ctx.params.token, ctx.params.name));
    router.get(path, async (ctx) => {
      const served = TOKEN.test(ctx.params.token) ? await deps.chargerFiles.served(ctx.params.token) : undefined;
      if (!served) return plain(ctx, 404, 'Unknown or expired download URL');
      ctx.type = 'application/octet-stream';
      ctx.body = served.content;
    });
  }
  return compose([
    async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        deps.log.error({ err: error }, 'a charger file transfer failed');
        plain(ctx, 500, 'The hub could not handle this file');
      }
      if (ctx.status === 404 && ctx.body === undefined) plain(ctx, 404, 'Unknown URL');
    },
    router.routes(),
    router.allowedMethods(),
  ]) as Middleware;
}
