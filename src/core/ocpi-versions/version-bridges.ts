import type { VersionBridge } from './translate';
import { BRIDGE_V211_V221 } from './v2.1.1/bridge-v211-v221.v211';
import { BRIDGE_V221_V230 } from './v2.3.0/bridge-v221-v230.v230';

/**
 * The translations the hub has, one bridge per pair of neighbouring versions. A pair without a bridge
 * is refused by translateObject (a delivery to a partner of that version fails with the reason).
 */
export const VERSION_BRIDGES: readonly VersionBridge[] = [BRIDGE_V211_V221, BRIDGE_V221_V230];
