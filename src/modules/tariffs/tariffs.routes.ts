import Router from '@koa/router';
import type { ModuleDeps } from '../module-deps';
import { OCPI_VERSION } from '../versions/versions.routes';
import type { TariffsService } from './tariffs.service';

export const TARIFFS_RECEIVER_PATH = '/receiver/tariffs';
export const TARIFFS_SENDER_PATH = '/sender/tariffs';

/** Tariffs (mod_tariffs.asciidoc): not built yet. */
export function tariffsRouter(_deps: ModuleDeps & { tariffs: TariffsService }): Router {
  return new Router({ prefix: `/ocpi/${OCPI_VERSION}` });
}
