/** Errors of the hub's own domain (not OCPI wire errors); each transport maps `kind` to its own answer. */
export type HubErrorKind = 'not_found' | 'conflict' | 'invalid' | 'partner_failed';

export class HubError extends Error {
  constructor(
    readonly kind: HubErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}
