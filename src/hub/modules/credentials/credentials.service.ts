import type { Endpoint, Party, TokenEncoding } from '../../../db/entities';
import { generateCredentialsToken, hashToken } from '../../routing/credential-secrets';
import { HubError } from '../../../foundation/hub-errors';
import type { AuthenticatedParty, PartyRegistry, Registration } from '../../routing/parties';
import { OcpiCallError, type OcpiClient } from '../../outbound/ocpi-client';
import { OcpiError, ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import { describeIssues } from '../../../foundation/zod-issues';
import { HUB_FORM_VERSION, highestCommonVersion, type OcpiVersion, VERSION_FORM } from '../../../core/ocpi-versions/ocpi-versions';
import { type TranslationContext, translateObject } from '../../../core/ocpi-versions/translate';
import { TranslationRefused } from '../../../core/ocpi-versions/loss-report';
import { requireSoleRole } from '../../routing/version-context';
import { VERSION_BRIDGES } from '../../../core/ocpi-versions/version-bridges';
import { versionsUrl } from '../versions/hub-versions';
import { Credentials, VersionDetails, VersionList } from './credentials.schema';
import type { RoleAddress } from '../../ocpi/party-address';

export interface HubIdentity {
  countryCode: string;
  partyId: string;
  name: string;
}

interface PartnerVersion {
  versionsUrl: string;
  version: OcpiVersion;
  endpoints: Endpoint[];
}

/** The credentials handshake in both directions (credentials.asciidoc). */
export class CredentialsService {
  constructor(
    private readonly deps: {
      parties: PartyRegistry;
      client: OcpiClient;
      publicUrl: string;
      hub: HubIdentity;
      /** The versions the hub offers (OCPI_VERSIONS). */
      offered: readonly OcpiVersion[];
    },
  ) {}

  /**
   * The hub's credentials for a partner, in the partner's version. In the hub form a hub reports only
   * its own HUB role (2.2.1 credentials.asciidoc); towards 2.3.0 that becomes hub_party_id and the
   * parties reachable through the hub are listed as roles (docs/versions.md, ocpi/ocpi#544).
   */
  async hubCredentials(token: string, version: OcpiVersion = HUB_FORM_VERSION): Promise<unknown> {
    const { hub, publicUrl } = this.deps;
    const hubForm: Credentials = {
      token,
      url: versionsUrl(publicUrl),
      roles: [{ role: 'HUB', party_id: hub.partyId, country_code: hub.countryCode, business_details: { name: hub.name } }],
    };
    if (version === HUB_FORM_VERSION) return hubForm;
    // Towards 2.1.1 (one party per credentials object) the hub is its HUB role, the one party it presents.
    const party = { country_code: hub.countryCode, party_id: hub.partyId };
    return translateObject(VERSION_BRIDGES, 'credentials', hubForm, HUB_FORM_VERSION, version, { reachable: await this.reachableRoles(), party }).value;
  }

  /** Every role of the registered, unsuspended parties: who can be reached through the hub. */
  private async reachableRoles(): Promise<object[]> {
    const parties = await this.deps.parties.list();
    return parties
      .filter((p) => p.registeredAt && !p.suspendedAt)
      .flatMap((p) =>
        (p.roles ?? []).map((r) => ({ role: r.role, country_code: r.countryCode, party_id: r.partyId, business_details: r.businessDetails ?? { name: p.name } })),
      );
  }

  /** POST: a partner registers with token A. Returns the partner's token C. */
  async register({ party, encoding, token }: AuthenticatedParty, body: unknown): Promise<string> {
    if (party.registeredAt) throw ocpiErrors.methodNotAllowed('Already registered: use PUT to update credentials');
    const credentials = parseOcpiBody(Credentials, body, 'Credentials');
    const registration = await this.registrationFrom(party, credentials, encoding);
    const tokenC = await this.deps.parties.completeRegistration(party.id, registration, { tokenAHash: hashToken(token) });
    if (!tokenC) throw ocpiErrors.unauthorized('This token A has already been used');
    return tokenC;
  }

  /** PUT: a registered partner updates its credentials (new token B, URL or version) and gets a new token C. */
  async update({ party, encoding, token, kind }: AuthenticatedParty, body: unknown): Promise<string> {
    if (!party.registeredAt || kind !== 'C') throw ocpiErrors.methodNotAllowed('Not registered: use POST to register first');
    const credentials = parseOcpiBody(Credentials, body, 'Credentials');
    const registration = await this.registrationFrom(party, credentials, encoding);
    const tokenC = await this.deps.parties.completeRegistration(party.id, registration, { tokenCHash: hashToken(token) });
    if (!tokenC) throw ocpiErrors.unauthorized('These credentials were replaced while the update was running');
    return tokenC;
  }

  /** DELETE: the partner unregisters; both sides stop all automated communication. */
  async unregister({ party, kind }: AuthenticatedParty): Promise<void> {
    if (!party.registeredAt || kind !== 'C') throw ocpiErrors.methodNotAllowed('Not registered');
    await this.deps.parties.unregister(party.id);
  }

  /**
   * Deletes a party. A registered partner is first told (credentials DELETE, best effort) that the
   * hub's token for it is no longer valid, so it stops calling.
   */
  async removeParty(partyUuid: string): Promise<{ partnerNotified: boolean }> {
    const { parties, client } = this.deps;
    const party = await parties.require(partyUuid);
    const endpoint = party.registeredAt ? parties.endpoint(party, 'credentials', 'SENDER') : undefined;
    let partnerNotified = false;
    if (endpoint) {
      partnerNotified = await client
        .request({ method: 'DELETE', url: endpoint.url, token: parties.tokenB(party), encoding: party.tokenEncoding })
        .then(() => true)
        .catch(() => false);
    }
    await parties.remove(partyUuid);
    return { partnerNotified };
  }

  /**
   * The reverse direction: the operator gives the hub a partner's versions URL and token A, and the
   * hub performs the handshake as the Sender (POST, or PUT when already registered).
   */
  async connect(partyUuid: string, partnerVersionsUrl: string, tokenA: string): Promise<Party> {
    const { parties, client } = this.deps;
    const party = await parties.require(partyUuid);
    if (party.suspendedAt) throw new HubError('invalid', 'The party is suspended; resume it before connecting');
    await this.refuseUncallable(partnerVersionsUrl, (reason) => new HubError('invalid', `The versions URL cannot be used: ${reason}`));
    const { version, encoding } = await this.fetchVersionWithAnyEncoding(partnerVersionsUrl, tokenA, party);
    const credentialsEndpoint = version.endpoints.find((e) => e.identifier === 'credentials');
    if (!credentialsEndpoint) throw new HubError('partner_failed', 'The partner offers no credentials endpoint');

    // The partner calls the hub back with the new token C while it handles this request, so it must
    // be valid before the request is sent; it is rolled back if the handshake fails.
    const tokenC = generateCredentialsToken();
    const previousTokenCHash = party.tokenCHash;
    await parties.setPendingTokenC(party.id, tokenC);
    try {
      const reply = await client.request({
        method: party.registeredAt ? 'PUT' : 'POST',
        url: credentialsEndpoint.url,
        token: tokenA,
        encoding,
        body: await this.hubCredentials(tokenC, version.version),
        party,
        module: 'credentials',
      });
      // The partner answers in the version both speak: read in the hub form.
      const answered = version.version === HUB_FORM_VERSION
        ? reply.data
        : translateObject(VERSION_BRIDGES, 'credentials', reply.data, version.version, HUB_FORM_VERSION, versionReadingContext(party, version.version)).value;
      const parsed = Credentials.safeParse(answered);
      if (!parsed.success) {
        throw new HubError('partner_failed', `The partner answered invalid credentials: ${describeIssues(parsed.error)}`);
      }
      const partnerCredentials = parsed.data;
      const roles = this.checkRoles(party, partnerCredentials);
      // The partner may move to another versions URL with its new token; read its endpoints again then.
      const final =
        partnerCredentials.url === partnerVersionsUrl
          ? version
          : await this.fetchVersion(partnerCredentials.url, partnerCredentials.token, encoding, party);
      const stored = await parties.completeRegistration(
        party.id,
        { tokenB: partnerCredentials.token, encoding, ...final, roles },
        { tokenCHash: hashToken(tokenC) },
        tokenC,
      );
      if (!stored) throw new HubError('conflict', 'Another handshake with this party finished first');
      return parties.require(party.id);
    } catch (error) {
      await parties.restoreTokenCHash(party.id, previousTokenCHash);
      if (error instanceof OcpiCallError) throw new HubError('partner_failed', error.message);
      if (error instanceof OcpiError) throw new HubError('partner_failed', error.message);
      throw error;
    }
  }

  private async registrationFrom(party: Party, credentials: Credentials, encoding: TokenEncoding): Promise<Registration> {
    const roles = this.checkRoles(party, credentials);
    await this.refuseUncallable(credentials.url, (reason) => ocpiErrors.invalidParameters(`The credentials url cannot be used: ${reason}`));
    const version = await this.fetchVersion(credentials.url, credentials.token, encoding, party);
    return { tokenB: credentials.token, encoding, ...version, roles };
  }

  /**
   * Every role the partner claims must be one the operator registered for it, so token A cannot be
   * used to take over another party's country code and party id.
   */
  private checkRoles(party: Party, credentials: Credentials): Registration['roles'] {
    const registered = party.roles ?? [];
    return credentials.roles.map((claimed) => {
      const match = registered.find(
        (r) => r.role === claimed.role && r.countryCode === claimed.country_code && r.partyId === claimed.party_id,
      );
      if (!match) {
        const allowed = registered.map((r) => `${r.role} ${r.countryCode}/${r.partyId}`).join(', ');
        throw ocpiErrors.invalidParameters(
          `Role ${claimed.role} ${claimed.country_code}/${claimed.party_id} is not registered for this party (registered: ${allowed})`,
        );
      }
      const address: RoleAddress = { role: match.role, countryCode: match.countryCode, partyId: match.partyId };
      return { ...address, businessDetails: claimed.business_details };
    });
  }

  /**
   * Reads the partner's versions and the 2.2.1 details with its token. A failed call is 3001, no 2.2.1
   * is 3002, and details without a credentials endpoint are 3003 (credentials.asciidoc, errors).
   */
  private async fetchVersion(url: string, token: string, encoding: TokenEncoding, party: Party): Promise<PartnerVersion> {
    const { client } = this.deps;
    const call = async <T>(what: string, target: string, parse: (data: unknown) => T): Promise<T> => {
      try {
        return parse((await client.request({ method: 'GET', url: target, token, encoding, module: 'versions' })).data);
      } catch (error) {
        if (error instanceof OcpiError) throw error;
        if (error instanceof OcpiCallError) {
          // The call's own error stays the cause: its HTTP status tells a refused token (401) from the rest.
          throw Object.assign(ocpiErrors.clientApiUnusable(`Could not read your ${what}: ${error.message}`), { cause: error });
        }
        throw error;
      }
    };
    const versions = await call('versions', url, (data) => {
      const parsed = VersionList.safeParse(data);
      if (!parsed.success) throw ocpiErrors.clientApiUnusable(`Your versions list is invalid: ${describeIssues(parsed.error)}`);
      return parsed.data;
    });
    // The highest version both sides speak (version_information_endpoint.asciidoc).
    const common = highestCommonVersion(this.deps.offered, versions.map((v) => v.version));
    const match = common && versions.find((v) => v.version === common);
    if (!match) {
      throw ocpiErrors.unsupportedVersion(
        `The hub speaks OCPI ${this.deps.offered.join(', ')}; your versions endpoint offers ${versions.map((v) => v.version).join(', ') || 'none'}`,
      );
    }
    const version = match.version as OcpiVersion;
    const details = await call('version details', match.url, (data) => {
      // Endpoints without roles (2.1.1) get them from the party's one role (docs/versions.md).
      const parsed = VersionDetails.safeParse(VERSION_FORM[version].rolelessEndpoints ? this.detailsInHubForm(data, party, version) : data);
      if (!parsed.success) {
        throw ocpiErrors.clientApiUnusable(`Your version details are invalid: ${describeIssues(parsed.error)}`);
      }
      return parsed.data;
    });
    if (!details.endpoints.some((e) => e.identifier === 'credentials')) {
      throw ocpiErrors.noMatchingEndpoints('Your version details list no credentials endpoint');
    }
    // The hub calls these later (outbox, forwarding): refused now, with the reason, rather than then.
    for (const endpoint of details.endpoints) {
      await this.refuseUncallable(endpoint.url, (reason) =>
        ocpiErrors.clientApiUnusable(`Your ${endpoint.identifier} ${endpoint.role} endpoint cannot be used: ${reason}`),
      );
    }
    return { versionsUrl: url, version, endpoints: details.endpoints };
  }

  /** A partner's version details in a version without endpoint roles, read in the hub form; 3001 when they cannot be. */
  private detailsInHubForm(data: unknown, party: Party, version: OcpiVersion): unknown {
    requireSoleRole(party, version);
    try {
      return translateObject(VERSION_BRIDGES, 'credentials', data, version, HUB_FORM_VERSION, versionReadingContext(party, version)).value;
    } catch (error) {
      if (error instanceof TranslationRefused) throw ocpiErrors.clientApiUnusable(`Your version details are invalid: ${error.message}`);
      throw error;
    }
  }

  /** A URL the outbound guard refuses (an internal address, SSRF) becomes the given error. */
  private async refuseUncallable(url: string, error: (reason: string) => Error): Promise<void> {
    try {
      await this.deps.client.assertCallable(url);
    } catch (refusal) {
      if (refusal instanceof OcpiCallError && refusal.kind === 'refused') throw error(refusal.message);
      throw refusal;
    }
  }

  /** As the Sender the hub does not yet know the partner's header form: Base64 first, raw on a 401. */
  private async fetchVersionWithAnyEncoding(
    url: string,
    token: string,
    party: Party,
  ): Promise<{ version: PartnerVersion; encoding: TokenEncoding }> {
    const preferred = party.tokenEncoding;
    const other: TokenEncoding = preferred === 'base64' ? 'raw' : 'base64';
    try {
      return { version: await this.fetchVersion(url, token, preferred, party), encoding: preferred };
    } catch (error) {
      if (!refusedToken(error)) throw translate(error);
    }
    try {
      return { version: await this.fetchVersion(url, token, other, party), encoding: other };
    } catch (error) {
      throw translate(error);
    }
  }
}

/** The partner's versions endpoint answered HTTP 401: the token, perhaps in the other header form, was refused. */
function refusedToken(error: unknown): boolean {
  return error instanceof OcpiError && error.cause instanceof OcpiCallError && error.cause.httpStatus === 401;
}

function translate(error: unknown): unknown {
  return error instanceof OcpiError ? new HubError('partner_failed', error.message) : error;
}

/** What reading a partner's credentials or version details of `version` needs: the role it is registered in. */
function versionReadingContext(party: Party, version: OcpiVersion): TranslationContext {
  if (!VERSION_FORM[version].rolelessEndpoints) return {};
  const role = requireSoleRole(party, version).role;
  return role === 'CPO' || role === 'EMSP' ? { role } : {};
}
