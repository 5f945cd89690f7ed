import type { VersionBridge } from './translate';
import { BRIDGE_V221_V230 } from './v2.3.0/bridge-v221-v230.v230';

/**
 * The translations the hub has, one bridge per pair of neighbouring versions. A pair without a bridge
 * is refused by translateObject (a delivery to a partner of that version fails with the reason). The
 * 2.1.1 translations (v2.1.1/) need context the outbox does not carry yet (the Location of a session or
 * CDR, the token behind an auth_id), so they have no bridge yet (docs/versions.md).
 */
export const VERSION_BRIDGES: readonly VersionBridge[] = [BRIDGE_V221_V230];
