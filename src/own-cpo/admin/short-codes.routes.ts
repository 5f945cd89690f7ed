import Router from '@koa/router';
import type { DriverPageService } from '../driver-page/driver-page.service';
import { stickerSheetPdf } from '../driver-page/driver-pdfs';

/**
 * `/admin/short-codes`: the short code of every own charger connector (given on first listing, kept for
 * good) and a PDF sheet of stickers with their QR codes, to print and put on the chargers (docs/drivers.md).
 */
export function shortCodesAdminRouter(deps: { driverPage: DriverPageService }): Router {
  const router = new Router({ prefix: '/admin/short-codes' });
  const codes = () => deps.driverPage.codes.all();

  router.get('/', async (ctx) => {
    ctx.body = (await codes()).map((c) => ({ code: c.code, url: c.url, charger_id: c.chargerId, connector: c.connector, location_id: c.locationId, evse_uid: c.evseUid }));
  });

  router.get('/stickers.pdf', async (ctx) => {
    const all = await codes();
    const filter = typeof ctx.query.location_id === 'string' ? ctx.query.location_id : undefined;
    const chosen = filter ? all.filter((c) => c.locationId === filter) : all;
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', 'attachment; filename="charge-point-stickers.pdf"');
    ctx.body = await stickerSheetPdf(chosen.map((c) => ({ code: c.code, url: c.url, label: `${c.evseUid} / ${c.connector}`, location: c.locationId ?? c.chargerId })));
  });

  return router;
}
