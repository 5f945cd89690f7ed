import type { Context, Middleware } from 'koa';
import { HUB_FORM_VERSION, type OcpiVersion } from '../../core/ocpi-versions/ocpi-versions';
import { TranslationRefused } from '../../core/ocpi-versions/loss-report';
import { type BodyOrigin, type OcpiModuleId, translateObject } from '../../core/ocpi-versions/translate';
import { VERSION_BRIDGES } from '../../core/ocpi-versions/version-bridges';
import { ocpiErrors } from '../ocpi/ocpi-errors';
import type { StoredObject } from '../routing/object-store';


declare module 'koa' {
  interface DefaultState {
    /** Set by versionEdge on a route of a version other than the hub form's, for a request with a body. */
    bodyOrigin?: BodyOrigin;
    /** The version of the route the request came in on (set by versionEdge). */
    routeVersion?: OcpiVersion;
    /** Values of the answer already in the route's version (stored originals): the edge passes them on unchanged. */
    inRouteVersion?: WeakSet<object>;
  }
}

/**
 * What a GET answers for a stored object (optionally a part of it, `pick`): the sender's original
 * when it is in the route's version — unchanged, undocumented fields included — else the hub form,
 * which the edge translates into the route's version.
 */
export function answerOf<T>(ctx: Pick<Context, 'state'>, stored: StoredObject<T>, pick: (object: T) => unknown = (object) => object): unknown {
  const original = stored.original;
  if (original && original.version === ctx.state.routeVersion) {
    const value = pick(original.body as T);
    if (value && typeof value === 'object') {
      (ctx.state.inRouteVersion ??= new WeakSet()).add(value);
      return value;
    }
  }
  return pick(stored.data);
}

/**
 * The edge between a version's routes and the hub form, for one module: the request body is read in
 * the route's version and handed on in the hub form (the sender's original kept in `ctx.state.bodyOrigin`),
 * and the answer's `data` goes out in the route's version. On the hub form's own routes it does
 * nothing. A body the hub form cannot express is 2001 with the reason; nothing is stored.
 * `answers: false` leaves the answer alone (credentials: the service writes the hub's own in the version).
 */
export function versionEdge(version: OcpiVersion, module: OcpiModuleId, { answers = true } = {}): Middleware {
  if (version === HUB_FORM_VERSION) {
    return (ctx, next) => {
      ctx.state.routeVersion = version;
      return next();
    };
  }
  return async (ctx, next) => {
    ctx.state.routeVersion = version;
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
    const passOn = ctx.state.inRouteVersion;
    const out = (value: unknown) =>
      passOn && value && typeof value === 'object' && passOn.has(value) ? value : translateObject(VERSION_BRIDGES, module, value, HUB_FORM_VERSION, version).value;
    envelope.data = Array.isArray(envelope.data) ? envelope.data.map(out) : out(envelope.data);
  };
}
