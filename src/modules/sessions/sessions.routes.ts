import Router from '@koa/router';
import type { ModuleDeps } from '../module-deps';
import { OCPI_VERSION } from '../versions/versions.routes';
import type { SessionsService } from './sessions.service';

export const SESSIONS_RECEIVER_PATH = '/receiver/sessions';
export const SESSIONS_SENDER_PATH = '/sender/sessions';

/** Sessions (mod_sessions.asciidoc): not built yet. */
export function sessionsRouter(_deps: ModuleDeps & { sessions: SessionsService }): Router {
  return new Router({ prefix: `/ocpi/${OCPI_VERSION}` });
}
