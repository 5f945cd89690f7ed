import Router from '@koa/router';
import type { ModuleDeps } from '../module-deps';
import { OCPI_VERSION } from '../versions/versions.routes';
import type { CdrsService } from './cdrs.service';

export const CDRS_RECEIVER_PATH = '/receiver/cdrs';
export const CDRS_SENDER_PATH = '/sender/cdrs';

/** Cdrs (mod_cdrs.asciidoc): not built yet. */
export function cdrsRouter(_deps: ModuleDeps & { cdrs: CdrsService }): Router {
  return new Router({ prefix: `/ocpi/${OCPI_VERSION}` });
}
