import type { OcppHandler } from '../ocpp-handler';

/**
 * OCPP 1.6 §4.3: vendor-specific data. The hub knows no vendor extensions, and UnknownVendorId is the
 * answer the specification gives for exactly that (a CALLERROR would suggest a broken message).
 */
export const dataTransfer: OcppHandler<{ vendorId: string }, { status: 'UnknownVendorId' }> = async () => ({ status: 'UnknownVendorId' });
