import type { Middleware } from 'koa';
import { HUB_FORM_VERSION, type OcpiVersion } from '../../core/ocpi-versions/ocpi-versions';
import { TranslationRefused } from '../../core/ocpi-versions/loss-report';
import { type BodyOrigin, type OcpiModuleId, type TranslationContext, translateObject } from '../../core/ocpi-versions/translate';
import { VERSION_BRIDGES } from '../../core/ocpi-versions/version-bridges';
import { ocpiErrors } from '../ocpi/ocpi-errors';


declare module 'koa' {
  interface DefaultState {
    /** Set by versionEdge on a route of a version other than the hub form's, for a request with a body. */
    bodyOrigin?: BodyOrigin;
    /** Set by a route whose answer needs more than the hub form to be written in the route's version (per item of a list). */
    answerContextOf?: (item: unknown) => TranslationContext;
  }
}

/**
 * The edge between a version's routes and the hub form, for one module: the request body is read in
 * the route's version and handed on in the hub form (the sender's original kept in `ctx.state.bodyOrigin`),
 * and the answer's `data` goes out in the route's version. On the hub form's own routes it does
 * nothing. A body the hub form cannot express is 2001 with the reason; nothing is stored.
 * `answers: false` leaves the answer alone (credentials: the service writes the hub's own in the version).
 */
export function versionEdge(version: OcpiVersion, module: OcpiModuleId, { answers = true } = {}): Middleware {
  if (version === HUB_FORM_VERSION) return (_ctx, next) => next();
  return async (ctx, next) => {
    const body = ctx.request.body;
    if (body !== undefined && body !== null && typeof body === 'object') {
      let hubForm: unknown;
      try {
        hubForm = translateObject(VERSION_BRIDGES, module, body, version, HUB_FORM_VERSION, { partial: ctx.method === 'PATCH' }).value;
      } catch (error) {
        if (error instanceof TranslationRefused) throw ocpiErrors.invalidParameters(error.message);
        throw error;
      }
      ctx.state.bodyOrigin = { version, body };
      ctx.request.body = hubForm;
    }
    await next();
    const envelope = ctx.body as { data?: unknown } | undefined;
    if (!answers || !envelope || typeof envelope !== 'object' || envelope.data === undefined || envelope.data === null) return;
    const contextOf = ctx.state.answerContextOf ?? (() => ({}));
    const out = (value: unknown) => translateObject(VERSION_BRIDGES, module, value, HUB_FORM_VERSION, version, contextOf(value)).value;
    envelope.data = Array.isArray(envelope.data) ? envelope.data.map(out) : out(envelope.data);
  };
}
