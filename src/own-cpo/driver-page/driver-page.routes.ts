import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { DRIVER_MESSAGES, driverLanguage, fill, offeredLanguages, type DriverLanguage } from '../../core/driver-page/driver-messages';
import { readShortCode } from '../../core/driver-page/evse-short-codes';
import { formatMinorUnits } from '../../core/payments/stripe-amounts';
import { isDatabaseUnavailable } from '../../db/database-errors';
import { HubError } from '../../foundation/hub-errors';
import { type Payment, PaymentsUnavailableError } from '../driver-payments/payments.service';
import { DRIVER_PAGE_CSS, DRIVER_PAGE_JS } from './driver-page.assets';
import { escapeHtml, frame, paySection, placeSection, receiptSection, sessionSection, type ReceiptFacts } from './driver-page.html';
import type { DriverPageService } from './driver-page.service';
import { receiptPdf } from './driver-pdfs';

/** The cookie that binds a browser to its payment: `<payment id>.<secret>`, for one code's path only. */
const SESSION_COOKIE = 'driver_session';
const COOKIE_MAX_AGE_SECONDS = 24 * 3600;

/** An error of the driver's page: shown to the driver (HTML) or to its script (JSON); the message is safe to show. */
class DriverPageError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_OF: Record<HubError['kind'], number> = { not_found: 404, conflict: 409, invalid: 400, partner_failed: 502 };

function languageOf(ctx: Context, countryCode?: string): DriverLanguage {
  return driverLanguage({ chosen: typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined, acceptLanguage: ctx.get('accept-language'), countryCode });
}

/** The one place the page's errors become answers: HTML for the page, JSON for its script; unknown errors are a logged 500. */
function driverPageErrorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new DriverPageError(404, 'not_found', `Nothing at ${ctx.path}`);
      if (ctx.status === 405 && ctx.body === undefined) throw new DriverPageError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
    } catch (error) {
      let answer: DriverPageError;
      if (error instanceof DriverPageError) answer = error;
      else if (error instanceof PaymentsUnavailableError) answer = new DriverPageError(503, 'payments_off', DRIVER_MESSAGES[languageOf(ctx)].payments_off);
      else if (error instanceof HubError) answer = new DriverPageError(STATUS_OF[error.kind], error.kind, error.message);
      else if (isDatabaseUnavailable(error)) answer = new DriverPageError(503, 'unavailable', 'The service is busy; try again shortly');
      else {
        log.error({ err: error, requestId: ctx.state.requestId, path: ctx.path }, 'unexpected error on the driver page');
        answer = new DriverPageError(500, 'internal', 'Internal server error');
      }
      ctx.status = answer.httpStatus;
      if (ctx.path.endsWith('/session') || ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: { code: answer.code, message: answer.message } };
      } else {
        const language = languageOf(ctx);
        // An unknown code on the page itself is told in the driver's language; other errors keep their sentence.
        const pageItself = /^\/c\/[^/]+$/.test(ctx.path);
        const message = answer.code === 'not_found' && pageItself ? DRIVER_MESSAGES[language].not_found : answer.message;
        ctx.type = 'html';
        ctx.body = frame({ language, languages: [language], title: DRIVER_MESSAGES[language].title, path: ctx.path, body: `<p role="alert" class="alert" data-error="${escapeHtml(answer.code)}">${escapeHtml(message)}</p>` });
      }
    }
  };
}

function html(ctx: Context, body: string): void {
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  // No inline script, nothing from elsewhere: the page needs only its own stylesheet, script and JSON.
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self' https: http:; base-uri 'none'; frame-ancestors 'none'");
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.body = body;
}

/**
 * `/c/<code>`: the driver's page (docs/drivers.md). Public, no account: the short code on the EVSE's sticker
 * opens it; paying binds the browser to the payment with a cookie, which alone shows the session, stops it
 * and opens the receipt.
 */
export function driverPageRouter(deps: { driverPage: DriverPageService; publicUrl: string }): Router {
  const { driverPage } = deps;
  const router = new Router({ prefix: '/c' });
  const secure = deps.publicUrl.startsWith('https:');

  const cookieOf = (ctx: Context) => ctx.cookies.get(SESSION_COOKIE) ?? undefined;
  async function requirePayment(ctx: Context): Promise<Payment> {
    const payment = await driverPage.driversPayment(ctx.params.code, cookieOf(ctx));
    if (!payment) throw new DriverPageError(404, 'no_session', 'This browser has no session at this charge point');
    return payment;
  }

  router.get('/assets/driver.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = DRIVER_PAGE_CSS;
  });
  router.get('/assets/driver.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = DRIVER_PAGE_JS;
  });

  router.get('/:code', async (ctx) => {
    const canonical = readShortCode(ctx.params.code);
    if (canonical && canonical !== ctx.params.code) return ctx.redirect(`/c/${canonical}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
    const place = await driverPage.place(ctx.params.code);
    const language = languageOf(ctx, place.countryCode);
    const t = DRIVER_MESSAGES[language];
    const payment = await driverPage.driversPayment(place.code, cookieOf(ctx));
    const view = payment && (await driverPage.session(payment));
    let body = placeSection(place, language);
    let state = 'unpaid';
    // Back from Checkout (?paid=) before Stripe's webhook said the card is held: the page waits for it.
    const waiting = view?.state === 'paying' && typeof ctx.query.paid === 'string';
    if (view && (waiting || !['paying', 'declined', 'expired'].includes(view.state))) {
      state = view.state;
      body += sessionSection(place.code, view, language);
    } else {
      const notice = view?.state === 'declined' ? fill(t.declined, { reason: view.failure ?? '' }) : ctx.query.canceled || view?.state === 'expired' ? t.canceled : undefined;
      body += paySection(place, language, notice);
    }
    html(ctx, frame({ language, languages: offeredLanguages(place.countryCode), title: `${t.title} – ${place.locationName}`, path: `/c/${place.code}`, body, script: { code: place.code, state, lang: language } }));
  });

  router.post('/:code/pay', async (ctx) => {
    const place = await driverPage.place(ctx.params.code);
    const language = languageOf(ctx, place.countryCode);
    if (!place.startable) {
      ctx.status = place.refusal === 'payments_off' ? 503 : 409;
      return html(ctx, frame({ language, languages: offeredLanguages(place.countryCode), title: DRIVER_MESSAGES[language].title, path: `/c/${place.code}`, body: placeSection(place, language) + paySection(place, language) }));
    }
    const base = `${deps.publicUrl}/c/${place.code}`;
    const started = await driverPage.startCheckout(place, {
      successUrl: `${base}?lang=${language}&paid={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${base}?lang=${language}&canceled=1`,
      locale: language,
    });
    ctx.append(
      'Set-Cookie',
      `${SESSION_COOKIE}=${started.payment.id}.${started.driverSecret}; Path=/c/${place.code}; Max-Age=${COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    );
    ctx.status = 303;
    ctx.redirect(started.checkoutUrl);
  });

  router.get('/:code/session', async (ctx) => {
    const payment = await requirePayment(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await driverPage.session(payment);
  });

  router.post('/:code/stop', async (ctx) => {
    const payment = await requirePayment(ctx);
    await driverPage.stop(payment);
    if (ctx.accepts('html', 'json') === 'json') {
      ctx.status = 202;
      ctx.body = { stopping: true };
    } else {
      ctx.status = 303;
      ctx.redirect(`/c/${ctx.params.code}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
    }
  });

  async function receiptFacts(ctx: Context): Promise<{ facts: ReceiptFacts; language: DriverLanguage; countryCode: string }> {
    const payment = await requirePayment(ctx);
    const place = await driverPage.place(ctx.params.code);
    const found = await driverPage.receipt(payment);
    const released = payment.heldAmount !== null && payment.capturedAmount !== null ? payment.heldAmount - payment.capturedAmount : null;
    return {
      language: languageOf(ctx, place.countryCode),
      countryCode: place.countryCode,
      facts: {
        ...found,
        operatorName: place.operatorName,
        capturedAmount: payment.capturedAmount === null ? null : formatMinorUnits(payment.capturedAmount, payment.currency),
        releasedAmount: released === null ? null : formatMinorUnits(released, payment.currency),
      },
    };
  }

  router.get('/:code/receipt', async (ctx) => {
    const { facts, language, countryCode } = await receiptFacts(ctx);
    html(ctx, frame({ language, languages: offeredLanguages(countryCode), title: `${DRIVER_MESSAGES[language].receipt} ${facts.cdrId}`, path: `/c/${ctx.params.code}/receipt`, body: receiptSection(ctx.params.code, facts, language) }));
  });

  router.get('/:code/receipt.pdf', async (ctx) => {
    const { facts, language } = await receiptFacts(ctx);
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `inline; filename="receipt-${facts.cdrId.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = await receiptPdf(facts, language);
  });

  return router;
}

/** The `/c` stack: its own error edge, then the router. */
export function driverPageStack(deps: { driverPage: DriverPageService; publicUrl: string; log: Logger }): Middleware {
  const router = driverPageRouter(deps);
  return compose([driverPageErrorHandler(deps.log), router.routes(), router.allowedMethods()]) as Middleware;
}
