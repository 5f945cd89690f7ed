import type { OcppHandler } from '../ocpp-handler';

/**
 * OCPP 2.0.1 P01: vendor-specific data. The hub knows no vendor extensions, and UnknownVendorId is the
 * answer the specification gives for exactly that (a CALLERROR would suggest a broken message).
 */
export const dataTransfer: OcppHandler<{ vendorId: string }, { status: 'UnknownVendorId' }> = async () => ({ status: 'UnknownVendorId' });
