import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { CommandResponseV211, ReserveNowV211, StartSessionV211, StopSessionV211, UnlockConnectorV211 } from '../../../src/core/ocpi-versions/v2.1.1/commands.v211.schema';
import {
  fromV211Command,
  fromV211CommandResponse,
  fromV211CommandResult,
  toV211Command,
  toV211CommandResponse,
  toV211CommandResult,
} from '../../../src/core/ocpi-versions/v2.1.1/commands.v211-translation';
import { CredentialsV211, VersionDetailsV211 } from '../../../src/core/ocpi-versions/v2.1.1/credentials.v211.schema';
import {
  fromV211Credentials,
  fromV211VersionDetails,
  toV211Credentials,
  toV211VersionDetails,
} from '../../../src/core/ocpi-versions/v2.1.1/credentials.v211-translation';
import { CommandResponse, CommandResult, ReserveNow, StartSession, StopSession, UnlockConnector } from '../../../src/hub/modules/commands/commands.schema';
import { Credentials, VersionDetails } from '../../../src/hub/modules/credentials/credentials.schema';
import { example, SENDER } from './v211-support';

const kinds = (losses: { path: string; kind: string }[]) => losses.map((l) => [l.path, l.kind]);

describe('credentials and version details between OCPI 2.1.1 and the hub form', () => {
  const original = CredentialsV211.parse(example('credentials-1.json'));

  it('turns the one party of the 2.1.1 example into the one role of 2.2.1 credentials, and back unchanged', () => {
    const hub = fromV211Credentials(original, { role: 'CPO' });
    expect(hub.losses).toEqual([]);
    expect(Credentials.safeParse(hub.value).error?.issues).toBeUndefined();
    expect(hub.value.roles).toEqual([{ role: 'CPO', business_details: original.business_details, party_id: 'EXA', country_code: 'NL' }]);
    expect(toV211Credentials(hub.value)).toEqual({ value: original, losses: [] });
  });

  it('presents one party of several roles: the one named, others named as losses; refuses when none is named', () => {
    const hub = {
      token: 'abc',
      url: 'https://hub.example.com/ocpi/versions',
      roles: [
        { role: 'HUB', business_details: { name: 'Hub' }, party_id: 'HUB', country_code: 'NL' },
        { role: 'CPO', business_details: { name: 'Own CPO' }, party_id: 'OWN', country_code: 'NL' },
        { role: 'EMSP', business_details: { name: 'Hub' }, party_id: 'HUB', country_code: 'NL' },
      ],
    };
    const v211 = toV211Credentials(hub, { party: { country_code: 'NL', party_id: 'HUB' } });
    expect(v211.value).toEqual({ token: 'abc', url: hub.url, business_details: { name: 'Hub' }, party_id: 'HUB', country_code: 'NL' });
    expect(kinds(v211.losses)).toEqual([['roles[1]', 'value_dropped']]);
    expect(CredentialsV211.safeParse(v211.value).success).toBe(true);
    expect(() => toV211Credentials(hub)).toThrow(TranslationRefused);
  });

  it('gives the 2.1.1 endpoints their 2.2.1 roles from the party\'s role, and drops the roles going back', () => {
    const details = VersionDetailsV211.parse(example('version_information_endpoint-2.json'));
    const cpo = fromV211VersionDetails(details, { role: 'CPO' });
    expect(VersionDetails.safeParse(cpo.value).success).toBe(true);
    expect(cpo.value.endpoints).toEqual([
      { identifier: 'credentials', role: 'SENDER', url: 'https://example.com/ocpi/cpo/2.0/credentials/' },
      { identifier: 'locations', role: 'SENDER', url: 'https://example.com/ocpi/cpo/2.0/locations/' },
    ]);
    expect((fromV211VersionDetails(details, { role: 'EMSP' }).value.endpoints as { role: string }[])[1].role).toBe('RECEIVER');
    expect(toV211VersionDetails(cpo.value)).toEqual({ value: details, losses: [] });
  });

  it('names modules 2.1.1 lacks and a module listed in both roles at two addresses', () => {
    const v211 = toV211VersionDetails({
      version: '2.2.1',
      endpoints: [
        { identifier: 'credentials', role: 'SENDER', url: 'https://hub.example.com/2.2.1/credentials' },
        { identifier: 'credentials', role: 'RECEIVER', url: 'https://hub.example.com/2.2.1/credentials' },
        { identifier: 'tokens', role: 'SENDER', url: 'https://hub.example.com/2.2.1/emsp/tokens' },
        { identifier: 'tokens', role: 'RECEIVER', url: 'https://hub.example.com/2.2.1/cpo/tokens' },
        { identifier: 'chargingprofiles', role: 'RECEIVER', url: 'https://hub.example.com/2.2.1/chargingprofiles' },
      ],
    });
    expect(kinds(v211.losses)).toEqual([
      ['endpoints[3]', 'value_dropped'],
      ['endpoints[4]', 'value_dropped'],
    ]);
    expect(VersionDetailsV211.safeParse(v211.value).success).toBe(true);
    expect(v211.value.endpoints).toHaveLength(2);
  });
});

describe('commands between OCPI 2.1.1 and the hub form', () => {
  const token = example('mod_tokens-3.json');
  const responseUrl = 'https://emsp.example.com/ocpi/emsp/2.1.1/commands/START_SESSION/42';

  it('carries a 2.1.1 StartSession to the hub form (the token owned by the sending eMSP) and back unchanged', () => {
    const original = StartSessionV211.parse({ response_url: responseUrl, token, location_id: 'LOC1', evse_uid: '3256' });
    const hub = fromV211Command('START_SESSION', original, { owner: SENDER });
    expect(hub.losses).toEqual([]);
    expect(StartSession.safeParse(hub.value).error?.issues).toBeUndefined();
    expect(hub.value.token).toMatchObject({ country_code: 'NL', party_id: 'TNM', contract_id: 'DE8ACC12E46L89' });
    expect(toV211Command('START_SESSION', hub.value)).toEqual({ value: original, losses: [] });
  });

  it('names connector_id and authorization_reference, which a 2.1.1 StartSession cannot carry', () => {
    const hub = StartSession.parse({ ...fromV211Command('START_SESSION', { response_url: responseUrl, token, location_id: 'LOC1', evse_uid: '3256' }, { owner: SENDER }).value, connector_id: '1', authorization_reference: 'REF1' });
    expect(kinds(toV211Command('START_SESSION', hub).losses)).toEqual([
      ['connector_id', 'field_dropped'],
      ['authorization_reference', 'field_dropped'],
    ]);
  });

  it('carries ReserveNow with its integer reservation_id as a 2.2.1 string and back; refuses a non-integer id', () => {
    const original = ReserveNowV211.parse({ response_url: responseUrl, token, expiry_date: '2015-06-30T10:00:00Z', reservation_id: 17, location_id: 'LOC1' });
    const hub = fromV211Command('RESERVE_NOW', original, { owner: SENDER });
    expect(ReserveNow.safeParse(hub.value).success).toBe(true);
    expect(hub.value.reservation_id).toBe('17');
    expect(toV211Command('RESERVE_NOW', hub.value).value).toEqual(original);
    expect(() => toV211Command('RESERVE_NOW', { ...hub.value, reservation_id: 'R-17' })).toThrow(TranslationRefused);
  });

  it('carries StopSession and UnlockConnector unchanged, and refuses CANCEL_RESERVATION (2.1.1 has no such command)', () => {
    const stop = StopSessionV211.parse({ response_url: responseUrl, session_id: '101' });
    expect(StopSession.safeParse(fromV211Command('STOP_SESSION', stop, { owner: SENDER }).value).success).toBe(true);
    expect(toV211Command('STOP_SESSION', fromV211Command('STOP_SESSION', stop, { owner: SENDER }).value).value).toEqual(stop);
    const unlock = UnlockConnectorV211.parse({ response_url: responseUrl, location_id: 'LOC1', evse_uid: '3256', connector_id: '1' });
    expect(UnlockConnector.safeParse(fromV211Command('UNLOCK_CONNECTOR', unlock, { owner: SENDER }).value).success).toBe(true);
    expect(() => toV211Command('CANCEL_RESERVATION', { response_url: responseUrl, reservation_id: '17' })).toThrow(/no command CANCEL_RESERVATION/);
  });

  it('turns the 2.1.1 CommandResponse into 2.2.1 CommandResponse (with the hub\'s own timeout) or CommandResult', () => {
    const accepted = fromV211CommandResponse(CommandResponseV211.parse({ result: 'ACCEPTED' }), { timeoutSeconds: 30 });
    expect(accepted).toEqual({ value: { result: 'ACCEPTED', timeout: 30 }, losses: [] });
    expect(CommandResponse.safeParse(accepted.value).success).toBe(true);
    const timeout = fromV211CommandResponse({ result: 'TIMEOUT' }, { timeoutSeconds: 30 });
    expect(timeout.value.result).toBe('REJECTED');
    expect(kinds(timeout.losses)).toEqual([['result', 'value_narrowed']]);

    expect(fromV211CommandResult({ result: 'TIMEOUT' })).toEqual({ value: { result: 'TIMEOUT' }, losses: [] });
    const unknown = fromV211CommandResult({ result: 'UNKNOWN_SESSION' });
    expect(CommandResult.safeParse(unknown.value).success).toBe(true);
    expect(unknown.value.result).toBe('FAILED');
    expect(kinds(unknown.losses)).toEqual([['result', 'value_narrowed']]);
  });

  it('turns 2.2.1 CommandResponse and CommandResult into the 2.1.1 CommandResponse, naming timeout, message and results it lacks', () => {
    const response = toV211CommandResponse({ result: 'ACCEPTED', timeout: 30, message: [{ language: 'en', text: 'ok' }] });
    expect(response.value).toEqual({ result: 'ACCEPTED' });
    expect(kinds(response.losses)).toEqual([
      ['timeout', 'field_dropped'],
      ['message', 'field_dropped'],
    ]);
    expect(toV211CommandResult({ result: 'ACCEPTED' })).toEqual({ value: { result: 'ACCEPTED' }, losses: [] });
    const occupied = toV211CommandResult({ result: 'EVSE_OCCUPIED' });
    expect(CommandResponseV211.safeParse(occupied.value).success).toBe(true);
    expect(occupied.value.result).toBe('REJECTED');
    expect(kinds(occupied.losses)).toEqual([['result', 'value_narrowed']]);
  });
});
