// The sender's original kept beside the hub form (object-store.ts, originalAfterChange): which
// original an object keeps after a change.
import { originalAfterChange } from '../../../src/hub/routing/object-store';

const merge = (kept: unknown, change: unknown) => ({ ...(kept as object), ...(change as object) });
const kept = { version: '2.3.0' as const, body: { id: 'L1', x_note: 1, status: 'AVAILABLE' } };

describe('originalAfterChange', () => {
  it('keeps no original for a change sent in the hub form', () => {
    expect(originalAfterChange(kept, undefined, true, merge)).toBeUndefined();
    expect(originalAfterChange(kept, undefined, false, merge)).toBeUndefined();
  });

  it('takes a whole-object replacement as the new original', () => {
    const origin = { version: '2.1.1' as const, body: { id: 'L1' } };
    expect(originalAfterChange(kept, origin, true, merge)).toBe(origin);
    expect(originalAfterChange(undefined, origin, true, merge)).toBe(origin);
  });

  it('merges a partial change into an original of its own version', () => {
    const origin = { version: '2.3.0' as const, body: { status: 'CHARGING' } };
    expect(originalAfterChange(kept, origin, false, merge)).toEqual({ version: '2.3.0', body: { id: 'L1', x_note: 1, status: 'CHARGING' } });
  });

  it('drops the original when a partial change comes in another version, or there is none to merge into', () => {
    expect(originalAfterChange(kept, { version: '2.1.1', body: { status: 'CHARGING' } }, false, merge)).toBeUndefined();
    expect(originalAfterChange(undefined, { version: '2.3.0', body: { status: 'CHARGING' } }, false, merge)).toBeUndefined();
  });

  it('drops the original when the change names what the original lacks', () => {
    const failing = () => {
      throw new Error('unknown EVSE');
    };
    expect(originalAfterChange(kept, { version: '2.3.0', body: {} }, false, failing)).toBeUndefined();
  });
});
