import { OcpiPartner, type PartnerOptions as OcpiPartnerOptions, type RecordedRequest, type TokenEncoding } from '../../src/demo/demo-partner';

export type Encoding = TokenEncoding;
export type { RecordedRequest };

/** A test partner: the demo's OCPI partner (src/demo/demo-partner.ts), named `<party id> test partner` unless told. */
export type PartnerOptions = Omit<OcpiPartnerOptions, 'name' | 'role'> & { role: string; name?: string };

/**
 * A partner platform as a real HTTP server on 127.0.0.1: versions, version details, credentials (so
 * the hub can connect to it), a hubclientinfo Receiver; it records every request it gets.
 */
export class TestPartner extends OcpiPartner {
  constructor(options: PartnerOptions) {
    super({ ...options, name: options.name ?? `${options.partyId} test partner` });
  }
}

export async function startPartner(options: PartnerOptions): Promise<TestPartner> {
  return new TestPartner(options).start();
}
