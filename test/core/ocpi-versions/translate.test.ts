import { TranslationRefused } from '../../../src/core/ocpi-versions/loss-report';
import { translateObject, type VersionBridge } from '../../../src/core/ocpi-versions/translate';

// Two made-up bridges: each renames a field and reports a loss, so the chain and its order show.
const lower: VersionBridge = {
  older: '2.1.1',
  newer: '2.2.1',
  up: { tokens: (v) => ({ value: { ...(v as object), step: 'up-2.2.1' }, losses: [] }) },
  down: {
    tokens: (v) => {
      const { extra, ...rest } = v as { extra?: string };
      return { value: { ...rest, step: 'down-2.1.1' }, losses: extra ? [{ path: 'extra', kind: 'field_dropped', detail: 'no such field in 2.1.1', from: '2.2.1', to: '2.1.1' }] : [] };
    },
  },
};
const upper: VersionBridge = {
  older: '2.2.1',
  newer: '2.3.0',
  up: { tokens: (v) => ({ value: { ...(v as object), step: 'up-2.3.0' }, losses: [] }) },
  down: {
    tokens: (v, context) => ({
      value: { ...(v as object), step: 'down-2.2.1', sender: context.sender?.party_id },
      losses: [{ path: 'emaid', kind: 'value_dropped', detail: 'EMAID is 2.3.0 only', from: '2.3.0', to: '2.2.1' }],
    }),
  },
};

describe('translateObject: one version step at a time', () => {
  it('leaves an object of the receiver’s own version untouched (the same reference, nothing lost)', () => {
    const original = { uid: 'A', undocumented: { kept: true } };
    const result = translateObject([lower, upper], 'tokens', original, '2.3.0', '2.3.0');
    expect(result.value).toBe(original);
    expect(result.losses).toEqual([]);
  });

  it('chains the steps in order and keeps the losses of each, with the context', () => {
    const result = translateObject([lower, upper], 'tokens', { uid: 'A', extra: 'x' }, '2.3.0', '2.1.1', { sender: { country_code: 'NL', party_id: 'ABC' } });
    expect(result.value).toEqual({ uid: 'A', step: 'down-2.1.1', sender: 'ABC' });
    expect(result.losses.map((l) => [l.from, l.to, l.path, l.kind])).toEqual([
      ['2.3.0', '2.2.1', 'emaid', 'value_dropped'],
      ['2.2.1', '2.1.1', 'extra', 'field_dropped'],
    ]);
  });

  it('walks upwards too', () => {
    expect(translateObject([lower, upper], 'tokens', { uid: 'A' }, '2.1.1', '2.3.0').value).toEqual({ uid: 'A', step: 'up-2.3.0' });
  });

  it('refuses a module that has no step (visibly, naming the versions and the module)', () => {
    const attempt = () => translateObject([lower, upper], 'chargingprofiles', {}, '2.2.1', '2.1.1');
    expect(attempt).toThrow(TranslationRefused);
    expect(attempt).toThrow('cannot translate from OCPI 2.2.1 to 2.1.1: OCPI 2.1.1 has no chargingprofiles module the hub can translate to');
  });

  it('refuses a pair with no bridge at all', () => {
    expect(() => translateObject([lower], 'tokens', {}, '2.2.1', '2.3.0')).toThrow(TranslationRefused);
  });
});
