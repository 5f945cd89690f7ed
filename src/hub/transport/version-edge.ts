import type { Context, Middleware } from 'koa';
import { HUB_FORM_VERSION, type OcpiVersion, VERSION_FORM } from '../../core/ocpi-versions/ocpi-versions';
import { TranslationRefused } from '../../core/ocpi-versions/loss-report';
import { type BodyOrigin, type OcpiModuleId, type TranslationContext, translateObject } from '../../core/ocpi-versions/translate';
import { VERSION_BRIDGES } from '../../core/ocpi-versions/version-bridges';
import { ocpiErrors } from '../ocpi/ocpi-errors';
import type { StoredObject } from '../routing/object-store';
import type { VersionContexts } from '../routing/version-context';


declare module 'koa' {
  interface DefaultState {
    /** Set by versionEdge on a route of a version other than the hub form's, for a request with a body. */
    bodyOrigin?: BodyOrigin;
    /** The version of the route the request came in on (set by versionEdge). */
    routeVersion?: OcpiVersion;
    /** Values of the answer already in the route's version (stored originals): the edge passes them on unchanged. */
    inRouteVersion?: WeakSet<object>;
    /** Set by a route whose answer needs more than the hub form to be written in the route's version (per item of a list). */
    answerContextOf?: (item: unknown) => TranslationContext;
  }
}

export interface VersionEdgeOptions {
  /** false leaves the answer alone (credentials: the service writes the hub's own in the version). */
  answers?: boolean;
  /**
   * What the hub knows that translations of a version whose objects lack it need
   * (VERSION_FORM.contextFromHub): the caller's address and role, the token, the Location.
   */
  contexts?: VersionContexts;
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
 * the route's version and handed on in the hub form (the sender's original kept in `ctx.state.bodyOrigin`,
 * with the context its translation took), and the answer's `data` goes out in the route's version. On
 * the hub form's own routes it does nothing. A body the hub form cannot express is 2001 with the
 * reason; nothing is stored. An answer object the route's version cannot express is left out of a
 * list (a GET of many) or, alone, answered 2001 with the reason.
 */
export function versionEdge(version: OcpiVersion, module: OcpiModuleId, { answers = true, contexts }: VersionEdgeOptions = {}): Middleware {
  if (version === HUB_FORM_VERSION) {
    return (ctx, next) => {
      ctx.state.routeVersion = version;
      return next();
    };
  }
  const needsContext = VERSION_FORM[version].contextFromHub && contexts !== undefined;
  const inContext = async (ctx: Context, body: unknown): Promise<TranslationContext> =>
    needsContext && ctx.state.caller ? contexts.ofSender(ctx.state.caller.party, module, body) : {};
  return async (ctx, next) => {
    ctx.state.routeVersion = version;
    // Per request: a page of sessions at one location reads that Location once.
    const locations = new Map<string, Promise<TranslationContext>>();
    const outContext = async (value: unknown): Promise<TranslationContext> => (needsContext ? contexts.ofObject(module, value, undefined, locations) : {});
    const body = ctx.request.body;
    if (body !== undefined && body !== null && typeof body === 'object') {
      let hubForm: unknown;
      const context = await inContext(ctx, body);
      try {
        hubForm = translateObject(VERSION_BRIDGES, module, body, version, HUB_FORM_VERSION, { ...context, partial: ctx.method === 'PATCH' }).value;
      } catch (error) {
        if (error instanceof TranslationRefused) throw ocpiErrors.invalidParameters(error.message);
        throw error;
      }
      ctx.state.bodyOrigin = { version, body, ...(needsContext ? { context } : {}) };
      ctx.request.body = hubForm;
    }
    await next();
    const envelope = ctx.body as { data?: unknown } | undefined;
    if (!answers || !envelope || typeof envelope !== 'object' || envelope.data === undefined || envelope.data === null) return;
    const passOn = ctx.state.inRouteVersion;
    const contextOf = ctx.state.answerContextOf ?? (() => ({}));
    const out = async (value: unknown) =>
      passOn && value && typeof value === 'object' && passOn.has(value)
        ? value
        : translateObject(VERSION_BRIDGES, module, value, HUB_FORM_VERSION, version, { ...(await outContext(value)), ...contextOf(value) }).value;
    if (Array.isArray(envelope.data)) {
      const items: unknown[] = [];
      for (const item of envelope.data) {
        try {
          items.push(await out(item));
        } catch (error) {
          // One object the version cannot carry (a credit CDR to 2.1.1) does not hide the rest of the page.
          if (!(error instanceof TranslationRefused)) throw error;
        }
      }
      envelope.data = items;
    } else {
      try {
        envelope.data = await out(envelope.data);
      } catch (error) {
        if (error instanceof TranslationRefused) throw ocpiErrors.invalidParameters(error.message);
        throw error;
      }
    }
  };
}
