import { randomInt } from 'node:crypto';
import Router from '@koa/router';
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type { Logger } from 'pino';
import { CHARGER_ID, type ChargersService, type OcppProtocol } from '../chargers/chargers.service';
import { type ChargerActionRecord, type ChargerActionsService, chargerEvents, MAX_ACTION_TIMEOUT_MS } from '../ocpp/charger-actions.service';
import { type ChargerFile, type ChargerFiles, MAX_CHARGER_FILE_BYTES } from '../chargers/charger-files';
import { SHORTCUT_NAMES, SHORTCUTS, type ShortcutName, shortcutCall } from '../ocpp/charger-shortcuts';
import { AdminError, adminErrorHandler, parseAdminBody, requireAdminKey } from '../../http/admin-http';
import type { DataSource } from 'typeorm';

/** Who asked, as the action log keeps it: what the caller says in X-Requested-By (the CLI: "cli:<user>"), else "admin-api". */
const RequestedBy = z.string().regex(/^[\x21-\x7e][\x20-\x7e]{0,63}$/, 'X-Requested-By must be 1 to 64 printable ASCII characters');

const ActionBody = z.strictObject({
  params: z.record(z.string(), z.unknown()).default({}),
  timeout_seconds: z.number().int().min(1).max(MAX_ACTION_TIMEOUT_MS / 1000).optional(),
});

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an action id').optional(),
});
const EventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: z.string().max(64).optional(),
});
const FirmwareQuery = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._+-]{1,100}$/, 'must be a file name (letters, digits, . _ + -)').default('firmware.bin'),
  retrieve_at: z.iso.datetime({ offset: true }).optional(),
  retries: z.coerce.number().int().min(0).max(100).optional(),
  retry_interval: z.coerce.number().int().min(0).optional(),
  timeout_seconds: z.coerce.number().int().min(1).max(MAX_ACTION_TIMEOUT_MS / 1000).optional(),
});

export function chargerIdOf(value: string | undefined): string {
  if (!value || !CHARGER_ID.test(value)) throw new AdminError(404, 'not_found', `No charger with id ${value}`);
  return value;
}

export function requestedBy(header: string): string {
  if (!header) return 'admin-api';
  const parsed = RequestedBy.safeParse(header);
  if (!parsed.success) throw new AdminError(400, 'invalid_request', parsed.error.issues[0].message);
  return parsed.data;
}

export function chargerActionView(a: ChargerActionRecord) {
  return {
    id: a.id,
    charger_id: a.chargerId,
    requested_by: a.requestedBy,
    requested_at: a.requestedAt,
    protocol: a.protocol,
    action: a.action,
    params: a.params,
    answer: a.answer,
    status: a.status,
    error: a.error,
    duration_ms: a.durationMs,
  };
}

export function chargerFileView(f: ChargerFile) {
  return {
    id: f.id,
    kind: f.kind,
    file_name: f.fileName,
    content_type: f.contentType,
    size_bytes: f.sizeBytes,
    created_at: f.createdAt,
    expires_at: f.expiresAt,
    uploaded_at: f.uploadedAt,
    downloads: f.downloads,
  };
}

/**
 * The answer to a call that was sent: 200 when the charger answered (its status may still be a
 * refusal: `status` says accepted or rejected), 502 for its CALLERROR, 503 when it went away before
 * answering, 504 when it did not answer in time; the body is the kept action in every case.
 */
export function answered(ctx: { status: number; body: unknown }, record: ChargerActionRecord, file?: ChargerFile): void {
  ctx.status = record.status === 'timeout' ? 504 : record.status !== 'error' ? 200 : record.error?.code === 'Unreachable' ? 503 : 502;
  ctx.body = { ...chargerActionView(record), ...(file && { file: chargerFileView(file) }) };
}

/** An id for requestId fields (GetLog, 2.0.1 UpdateFirmware, SetDisplayMessage): random within int32, so two calls in one second differ; the log keeps it with the params. */
const requestIdNow = () => randomInt(1, 2 ** 31 - 1);

/**
 * The operator's calls to a charger: `/admin/chargers/{id}/actions/{action}` (any action of its
 * version, params checked against the version's schema), the named shortcuts
 * `/admin/chargers/{id}/shortcuts/{name}`, the log of both, the charger's notifications and its files.
 */
export function chargerActionsAdminRouter(deps: { chargers: ChargersService; chargerActions: ChargerActionsService; chargerFiles: ChargerFiles; db: DataSource }): Router {
  const { chargers, chargerActions, chargerFiles } = deps;
  const router = new Router({ prefix: '/admin/chargers/:id' });

  router.post('/actions/:action', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    const body = parseAdminBody(ActionBody, ctx.request.body);
    const record = await chargerActions.send(id, ctx.params.action, body.params, {
      requestedBy: requestedBy(ctx.get('X-Requested-By')),
      timeoutMs: body.timeout_seconds && body.timeout_seconds * 1000,
    });
    answered(ctx, record);
  });

  router.get('/actions', async (ctx) => {
    const query = parseAdminBody(ListQuery, { ...ctx.query });
    ctx.body = (await chargerActions.list(chargerIdOf(ctx.params.id), query)).map(chargerActionView);
  });

  router.post('/shortcuts/:name', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    const name = ctx.params.name as ShortcutName;
    if (!SHORTCUT_NAMES.includes(name)) throw new AdminError(404, 'not_found', `No shortcut ${ctx.params.name} (one of ${SHORTCUT_NAMES.join(', ')})`);
    const raw = (ctx.request.body ?? {}) as Record<string, unknown>;
    const timeout = parseAdminBody(z.object({ timeout_seconds: ActionBody.shape.timeout_seconds }), { timeout_seconds: raw?.timeout_seconds });
    const { timeout_seconds: _, ...rest } = typeof raw === 'object' && raw !== null ? raw : {};
    const input = parseAdminBody(SHORTCUTS[name].input as z.ZodType, rest);
    const by = requestedBy(ctx.get('X-Requested-By'));
    const protocol = await chargerActions.connectedProtocol(id);
    const shortcut = SHORTCUTS[name] as { uploadKind?: (protocol: OcppProtocol, input: never) => 'diagnostics' | 'log' };
    const upload = shortcut.uploadKind ? await chargerFiles.uploadSlot(id, shortcut.uploadKind(protocol, input as never)) : undefined;
    const call = shortcutCall(name, protocol, input, { requestId: requestIdNow(), uploadUrl: upload?.url });
    const record = await chargerActions.send(id, call.action, call.params, { requestedBy: by, protocol, timeoutMs: timeout.timeout_seconds && timeout.timeout_seconds * 1000 });
    answered(ctx, record, upload?.file);
  });

  router.get('/events', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    const query = parseAdminBody(EventsQuery, { ...ctx.query });
    await chargers.require(id);
    ctx.body = (await chargerEvents(deps.db, id, query)).map((e) => ({ id: e.id, action: e.action, payload: e.payload, received_at: e.receivedAt }));
  });

  router.get('/files', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    await chargers.require(id);
    ctx.body = (await chargerFiles.list(id)).map(chargerFileView);
  });

  router.get('/files/:fileId', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    if (!z.uuid().safeParse(ctx.params.fileId).success) throw new AdminError(404, 'not_found', `No file ${ctx.params.fileId}`);
    const { file, content } = await chargerFiles.content(id, ctx.params.fileId);
    ctx.set('Content-Type', file.contentType?.startsWith('multipart/') ? 'application/octet-stream' : (file.contentType ?? 'application/octet-stream'));
    ctx.set('Content-Disposition', `attachment; filename="${(file.fileName ?? `${file.kind}-${file.id}`).replace(/[^A-Za-z0-9._+-]/g, '_')}"`);
    ctx.body = content;
  });

  return router;
}

/** `PUT /admin/chargers/{id}/firmware`: the only admin route with a binary body, so it sits beside the JSON admin stack. */
export const FIRMWARE_UPLOAD_PATH = /^\/admin\/chargers\/[^/]+\/firmware$/;

/**
 * Firmware for one charger: the body (at most MAX_CHARGER_FILE_BYTES) is stored, and UpdateFirmware
 * (both versions) is sent with the hub's own URL for it as `location`. Answers like a shortcut.
 */
export function firmwareUploadStack(deps: { chargerActions: ChargerActionsService; chargerFiles: ChargerFiles; log: Logger; adminApiKey: string }): Middleware {
  const router = new Router();
  router.put('/admin/chargers/:id/firmware', async (ctx) => {
    const id = chargerIdOf(ctx.params.id);
    const query = parseAdminBody(FirmwareQuery, { ...ctx.query });
    const by = requestedBy(ctx.get('X-Requested-By'));
    const protocol = await deps.chargerActions.connectedProtocol(id);
    let content: Buffer;
    try {
      content = await getRawBody(ctx.req, { limit: MAX_CHARGER_FILE_BYTES, length: ctx.get('content-length') || undefined });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw new AdminError(413, 'too_large', `Firmware larger than ${MAX_CHARGER_FILE_BYTES} bytes`);
      throw new AdminError(400, 'invalid_body', 'The firmware could not be read');
    }
    if (!content.length) throw new AdminError(400, 'invalid_request', 'The body is the firmware file; it was empty');
    const stored = await deps.chargerFiles.firmware(id, { fileName: query.name, content });
    const call = shortcutCall('update-firmware', protocol, { location: stored.url, retrieve_at: query.retrieve_at, retries: query.retries, retry_interval: query.retry_interval }, { requestId: requestIdNow() });
    const record = await deps.chargerActions.send(id, call.action, call.params, { requestedBy: by, protocol, timeoutMs: query.timeout_seconds && query.timeout_seconds * 1000 });
    answered(ctx, record, stored.file);
  });
  return compose([adminErrorHandler(deps.log), requireAdminKey(deps.adminApiKey), router.routes(), router.allowedMethods()]) as Middleware;
}
