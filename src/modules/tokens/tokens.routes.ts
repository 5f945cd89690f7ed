import Router from '@koa/router';
import type { ModuleDeps } from '../module-deps';
import { OCPI_VERSION } from '../versions/versions.routes';
import type { TokensService } from './tokens.service';

export const TOKENS_RECEIVER_PATH = '/receiver/tokens';
export const TOKENS_SENDER_PATH = '/sender/tokens';

/** Tokens (mod_tokens.asciidoc): not built yet. */
export function tokensRouter(_deps: ModuleDeps & { tokens: TokensService }): Router {
  return new Router({ prefix: `/ocpi/${OCPI_VERSION}` });
}
