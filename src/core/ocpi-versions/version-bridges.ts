import type { VersionBridge } from './translate';

/**
 * The translations the hub has, one bridge per pair of neighbouring versions. A pair without a bridge
 * is refused by translateObject (a delivery to a partner of that version fails with the reason).
 */
export const VERSION_BRIDGES: readonly VersionBridge[] = [];
