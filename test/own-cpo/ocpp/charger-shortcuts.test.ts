import { OCPP_PROTOCOLS } from '../../../src/own-cpo/chargers/chargers.service';
import { uploadedFile } from '../../../src/own-cpo/chargers/charger-files';
import { hubActionProblem } from '../../../src/own-cpo/ocpp/charger-actions';
import { SHORTCUT_NAMES, SHORTCUTS, shortcutCall, type ShortcutName } from '../../../src/own-cpo/ocpp/charger-shortcuts';

/** A typical body per shortcut, and the versions it has no action in. */
const INPUTS: Record<ShortcutName, { body: unknown; notIn?: string[] }> = {
  reset: { body: { type: 'hard' } },
  availability: { body: { operative: false, connector: '2' } },
  unlock: { body: { connector: '1' } },
  trigger: { body: { message: 'Heartbeat' } },
  'renew-certificate': { body: {} },
  'get-configuration': { body: {}, notIn: ['ocpp2.0.1', 'ocpp2.1'] },
  'change-configuration': { body: { key: 'K', value: 'v' }, notIn: ['ocpp2.0.1', 'ocpp2.1'] },
  'get-variables': { body: { variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }] }, notIn: ['ocpp1.6'] },
  'set-variables': { body: { variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '60' }] }, notIn: ['ocpp1.6'] },
  'clear-cache': { body: {} },
  'update-firmware': { body: { location: 'https://fw.example.com/a.bin', retries: 1, retry_interval: 60 } },
  'get-diagnostics': { body: { log: 'security', since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' } },
  'set-charging-profile': { body: { connector: '0', profile: {} } },
  'clear-charging-profile': { body: { connector: '1', purpose: 'TxProfile' } },
  'composite-schedule': { body: { duration: 60 } },
  'display-message': { body: { message: 'Out of order tomorrow', priority: 'InFront', from: '2026-01-01T00:00:00Z' }, notIn: ['ocpp1.6'] },
};

describe('operator shortcuts (pure)', () => {
  it('build, for each version they exist in, a call the version\'s schema takes (profiles aside: the operator writes those)', () => {
    expect(Object.keys(INPUTS).sort()).toEqual([...SHORTCUT_NAMES].sort());
    for (const protocol of OCPP_PROTOCOLS) {
      for (const name of SHORTCUT_NAMES) {
        const { body, notIn } = INPUTS[name];
        const input = SHORTCUTS[name].input.parse(body);
        const build = () => shortcutCall(name, protocol, input, { requestId: 42, uploadUrl: 'https://hub.example.com/ocpp-uploads/t' });
        if (notIn?.includes(protocol)) {
          expect(build).toThrow(/speaks|has no/);
          continue;
        }
        const call = build();
        const problem = hubActionProblem(protocol, call.action, call.params);
        // An empty profile is the operator's to fill in; the schema must refuse it, not the shortcut.
        if (name === 'set-charging-profile') expect(problem).toMatch(/required property/);
        else expect({ protocol, name, problem }).toEqual({ protocol, name, problem: undefined });
      }
    }
  });

  it('refuse bodies they do not take', () => {
    expect(SHORTCUTS.reset.input.safeParse({ type: 'soft', extra: 1 }).success).toBe(false);
    expect(SHORTCUTS.unlock.input.safeParse({ connector: '0' }).success).toBe(false);
    expect(SHORTCUTS.availability.input.safeParse({ operative: 'yes' }).success).toBe(false);
    expect(SHORTCUTS['update-firmware'].input.safeParse({ location: 'not a url' }).success).toBe(false);
    expect(SHORTCUTS['get-diagnostics'].input.safeParse({ since: 'yesterday' }).success).toBe(false);
  });
});

describe('uploadedFile', () => {
  it('takes the first file part of a multipart body, byte for byte, and a raw body as it came', () => {
    const content = Buffer.from('line 1\r\n--not-the-boundary\r\nline 3');
    const body = Buffer.concat([
      Buffer.from('--B0\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'),
      Buffer.from('--B0\r\nContent-Disposition: form-data; name="file"; filename="log.txt"\r\nContent-Type: text/plain\r\n\r\n'),
      content,
      Buffer.from('\r\n--B0--\r\n'),
    ]);
    expect(uploadedFile('multipart/form-data; boundary=B0', body, undefined)).toEqual({ fileName: 'log.txt', contentType: 'text/plain', content });
    expect(uploadedFile('application/gzip', content, 'x.gz')).toEqual({ fileName: 'x.gz', contentType: 'application/gzip', content });
    // a multipart body without a file part is kept whole
    const noFile = Buffer.from('--B0\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--B0--\r\n');
    expect(uploadedFile('multipart/form-data; boundary="B0"', noFile, undefined).content).toEqual(noFile);
  });
});
