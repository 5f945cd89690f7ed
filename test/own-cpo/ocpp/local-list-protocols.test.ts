import { createValidator } from 'ocpp-rpc';
import { CHARGER_PROTOCOLS } from '../../../src/own-cpo/ocpp/charger-protocols';
import { ocpp21Validator } from '../../../src/own-cpo/ocpp/ocpp21-schemas';
import type { LocalListMessage } from '../../../src/core/charging/local-list';

/** The local list calls, shaped per OCPP version, against each version's own schemas (ocpp-rpc's). */
describe('local authorization list calls per OCPP version', () => {
  const schemas = (file: string) => require(`ocpp-rpc/lib/schemas/${file}.json`);
  const validators = {
    'ocpp1.6': createValidator('ocpp1.6', schemas('ocpp1_6')),
    'ocpp2.0.1': createValidator('ocpp2.0.1', schemas('ocpp2_0_1')),
    'ocpp2.1': ocpp21Validator(),
  } as const;
  const full: LocalListMessage = { updateType: 'Full', version: 3, entries: [{ id: 'TAG1', status: 'Accepted', expiresAt: '2026-03-12T00:00:00Z' }, { id: 'TAG2', status: 'Blocked' }] };
  const diff: LocalListMessage = { updateType: 'Differential', version: 4, entries: [{ id: 'TAG1' }, { id: 'TAG3', status: 'Accepted' }] };
  const empty: LocalListMessage = { updateType: 'Full', version: 5, entries: [] };

  it('1.6: idTag with idTagInfo, a removal without; listVersion', () => {
    const p = CHARGER_PROTOCOLS['ocpp1.6'].localList;
    expect(p.send(full)).toEqual({
      action: 'SendLocalList',
      params: { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'TAG1', idTagInfo: { status: 'Accepted', expiryDate: '2026-03-12T00:00:00Z' } }, { idTag: 'TAG2', idTagInfo: { status: 'Blocked' } }] },
    });
    expect(p.send(diff).params.localAuthorizationList).toEqual([{ idTag: 'TAG1' }, { idTag: 'TAG3', idTagInfo: { status: 'Accepted' } }]);
    expect(p.versionOf({ listVersion: -1 })).toBe(-1);
    expect(p.versionOf({})).toBeUndefined();
    expect(p.maxIdLength).toBe(20);
  });

  it('2.0.1 and 2.1: idToken {idToken, type ISO14443} with idTokenInfo; versionNumber; an empty Full list without entries', () => {
    for (const protocol of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      const p = CHARGER_PROTOCOLS[protocol].localList;
      expect(p.send(diff)).toEqual({
        action: 'SendLocalList',
        params: { versionNumber: 4, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: 'TAG1', type: 'ISO14443' } }, { idToken: { idToken: 'TAG3', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }] },
      });
      expect((p.send(full).params.localAuthorizationList as { idTokenInfo?: unknown }[])[0].idTokenInfo).toEqual({ status: 'Accepted', cacheExpiryDateTime: '2026-03-12T00:00:00Z' });
      expect(p.send(empty).params).toEqual({ versionNumber: 5, updateType: 'Full' });
      expect(p.versionOf({ versionNumber: 7 })).toBe(7);
    }
  });

  it('every call is valid in its version\'s schema', () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
      const p = CHARGER_PROTOCOLS[protocol].localList;
      for (const call of [p.getVersion(), p.send(full), p.send(diff), p.send(empty)]) {
        expect(() => validators[protocol].validate(`urn:${call.action}.req`, call.params)).not.toThrow();
      }
    }
    // the checks do bite: a 21-character idTag is no 1.6 IdToken
    const tooLong = CHARGER_PROTOCOLS['ocpp1.6'].localList.send({ updateType: 'Full', version: 1, entries: [{ id: 'X'.repeat(21), status: 'Accepted' }] });
    expect(() => validators['ocpp1.6'].validate('urn:SendLocalList.req', tooLong.params)).toThrow();
  });
});
