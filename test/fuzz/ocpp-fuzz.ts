import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';
import { OCPP16_HANDLERS } from '../../src/own-cpo/ocpp-handlers/v16/handlers.v16';
import { OCPP201_HANDLERS } from '../../src/own-cpo/ocpp-handlers/v201/handlers.v201';
import { connectChargePoint } from '../support/charge-point';
import { waitFor } from '../support/network';
import { putOwnLocations, type TestHub } from '../support/test-hub';
import { databaseDigest, digestDifferences } from './db-digest';
import { invalidValue, type JsonSchema } from './schema-values';

/**
 * The OCPP frame fuzzer: raw WebSocket frames from registered, accepted chargers (1.6 and 2.0.1) —
 * garbage, wrong message type ids, unknown actions, payloads the OCPP JSON schemas refuse (made from
 * ocpp-rpc's own schema files), oversize frames and floods. The actions come from the schema files and
 * the hub's handler tables at run time, so handlers added later are fuzzed too. The oracle: every CALL
 * gets a CALLERROR with a fitting code, garbage is answered as ocpp-rpc documents it and the 11th bad
 * frame in a row closes the connection (1002), an oversize frame closes it (1009), a well-behaved
 * charger meanwhile gets every answer, nothing is logged as an error and the database is unchanged.
 */

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

const SCHEMA_FILES: Record<Protocol, string> = { 'ocpp1.6': 'ocpp1_6.json', 'ocpp2.0.1': 'ocpp2_0_1.json' };
const HANDLERS: Record<Protocol, Record<string, unknown>> = { 'ocpp1.6': OCPP16_HANDLERS, 'ocpp2.0.1': OCPP201_HANDLERS };

// ocpp-rpc's validators: the very checks the hub's strict mode runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const VALIDATORS = require('ocpp-rpc/lib/standard-validators') as { subprotocol: string; validate(urn: string, params: unknown): void }[];

/** A malformed frame gets this many answers before the connection is closed (src/ocpp/server.ts MAX_BAD_MESSAGES). */
const MAX_BAD_MESSAGES = 10;
/** Frames over this are refused by ws with close 1009 (src/ocpp/server.ts MAX_MESSAGE_BYTES). */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const VALIDATION_CODES: Record<Protocol, string[]> = {
  'ocpp1.6': ['FormationViolation', 'OccurenceConstraintViolation', 'PropertyConstraintViolation', 'TypeConstraintViolation', 'ProtocolError'],
  'ocpp2.0.1': ['FormatViolation', 'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'TypeConstraintViolation', 'ProtocolError'],
};

/**
 * What a frame that is not a readable OCPP-J message gets, in each version's words: 2.0.1 defines
 * RpcFrameworkError and MessageTypeNotSupported; 1.6 has neither (FormationViolation, GenericError).
 */
const FRAMING_CODES: Record<Protocol, { framework: string; messageType: string }> = {
  'ocpp1.6': { framework: 'FormationViolation', messageType: 'GenericError' },
  'ocpp2.0.1': { framework: 'RpcFrameworkError', messageType: 'MessageTypeNotSupported' },
};

export interface Frame {
  kind: string;
  detail: string;
  text: string;
  /** A malformed frame in ocpp-rpc's sense (counts towards the close after MAX_BAD_MESSAGES). */
  garbage: boolean;
  /** Refused by the hub before ocpp-rpc reads it (an over-long message id): neither counts nor resets that streak. */
  neutral?: boolean;
  expect: { reply: 'callerror'; id: string; codes: string[] } | { reply: 'none' } | { reply: 'close'; code: number };
}

export interface OcppActionSchemas {
  protocol: Protocol;
  /** Every `<Action>.req` in the protocol's schema file. */
  actions: { action: string; schema: JsonSchema; handled: boolean }[];
}

export function actionSchemas(protocol: Protocol): OcppActionSchemas {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schemas = require(`ocpp-rpc/lib/schemas/${SCHEMA_FILES[protocol]}`) as JsonSchema[];
  const actions = schemas
    .filter((s) => typeof s.$id === 'string' && (s.$id as string).endsWith('.req'))
    .map((s) => {
      const action = (s.$id as string).replace(/^urn:/, '').replace(/\.req$/, '');
      return { action, schema: s, handled: Object.hasOwn(HANDLERS[protocol], action) };
    });
  return { protocol, actions };
}

function validatorOf(protocol: Protocol) {
  const validator = VALIDATORS.find((v) => v.subprotocol === protocol);
  if (!validator) throw new Error(`ocpp-rpc has no validator for ${protocol}`);
  return validator;
}

let ids = 0;
const nextId = () => `fz-${(++ids).toString(36)}`;

/** Frames for one protocol: weights favour schema-invalid calls of the actions the hub handles. */
export function frameArbitrary(schemas: OcppActionSchemas): fc.Arbitrary<() => Frame> {
  const { protocol } = schemas;
  const validator = validatorOf(protocol);
  const accepts = (action: string) => (params: unknown) => {
    try {
      validator.validate(`urn:${action}.req`, params);
      return true;
    } catch {
      return false;
    }
  };
  const call = (action: string, params: unknown, codes: string[], kind: string, detail: string) => (): Frame => {
    const id = nextId();
    return { kind, detail, text: JSON.stringify([2, id, action, params]), garbage: false, expect: { reply: 'callerror', id, codes } };
  };
  const handled = schemas.actions.filter((a) => a.handled);
  const unhandled = schemas.actions.filter((a) => !a.handled);

  const schemaInvalid = fc
    .constantFrom(...handled)
    .chain((a) => invalidValue(a.schema, accepts(a.action), { hugeStringLength: 2000 }).map((m) => call(a.action, m.value, VALIDATION_CODES[protocol], 'schema-invalid call', `${a.action} ${m.mutation}`)));
  // Actions the hub does not handle (the CSMS→charger direction, or not yet implemented): NotImplemented.
  const notHandled = fc.constantFrom(...unhandled).map((a) => call(a.action, {}, ['NotImplemented'], 'action the hub does not handle', a.action));
  const unknownAction = fc
    .constantFrom('NoSuchAction', 'heartbeat', 'Heartbeat.req', '', 'Boot Notification', '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(500))
    .map((action) => call(action, {}, ['NotImplemented'], 'unknown action', action.slice(0, 40)));

  const { framework, messageType } = FRAMING_CODES[protocol];
  const garbage = (kind: string, text: string, reply: 'callerror-1' | 'callerror-id' | 'none', codes: string[] = [framework], id = '-1') => (): Frame => ({
    kind,
    detail: text.slice(0, 40),
    text,
    garbage: true,
    expect: reply === 'none' ? { reply: 'none' } : { reply: 'callerror', id, codes },
  });
  const badJson = fc
    .oneof(
      fc.constantFrom('[2,"1","Heartbeat",{}', '[2,"1","Heartbeat",{}]]', "[2,'1','Heartbeat',{}]", 'NaN', '[2,"1","Heartbeat",{a:1}]', '\u0000', 'null,'),
      fc.string({ minLength: 1, maxLength: 50 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return s.length > 0;
        }
      }),
    )
    .map((text) => garbage('bad JSON', text, 'callerror-1'));
  const notArray = fc.constantFrom('{}', '42', '"call"', 'null', 'true', '{"0":2,"1":"x"}').map((text) => garbage('not an array', text, 'callerror-1'));
  const wrongType = fc
    .constantFrom<[string, string]>(
      ['[5,"a","Heartbeat",{}]', messageType],
      ['[0,"a","Heartbeat",{}]', messageType],
      ['[-1,"a","Heartbeat",{}]', messageType],
      ['[2.5,"a","Heartbeat",{}]', messageType],
      ['["2","a","Heartbeat",{}]', framework],
      ['[null,"a","Heartbeat",{}]', framework],
      ['[]', framework],
    )
    .map(([text, code]) => garbage('wrong message type id', text, 'callerror-1', [code]));
  const badId = fc.constantFrom('[2,123,"Heartbeat",{}]', '[2,null,"Heartbeat",{}]', '[2,{},"Heartbeat",{}]', '[2]').map((text) => garbage('message id not a string', text, 'callerror-1'));
  const badAction = fc.constantFrom(42, null, ['Heartbeat'], {}).map((action) => () => {
    const id = nextId();
    return garbage('action not a string', JSON.stringify([2, id, action, {}]), 'callerror-id', [framework], id)();
  });
  const strayResult = fc
    .constantFrom('[3,"never-asked",{}]', '[4,"never-asked","GenericError","",{}]', '[3,"x"]')
    .map((text) => garbage('answer to no call', text, 'none'));

  // OCPP-J caps message ids at 36 characters: a longer one is refused with the id as sent.
  const overlongId = fc.tuple(fc.integer({ min: 37, max: 300 }), fc.constantFrom('Heartbeat', 'BootNotification', 'NoSuchAction')).map(([length, action]) => (): Frame => {
    const id = `${nextId()}-`.padEnd(length, 'L');
    return { kind: 'message id over 36 characters', detail: `${length} characters`, text: JSON.stringify([2, id, action, {}]), garbage: false, neutral: true, expect: { reply: 'callerror', id, codes: [framework] } };
  });
  return fc.oneof(
    { weight: 10, arbitrary: schemaInvalid },
    { weight: 1, arbitrary: overlongId },
    { weight: 2, arbitrary: unhandled.length ? notHandled : unknownAction },
    { weight: 2, arbitrary: unknownAction },
    { weight: 2, arbitrary: badJson },
    { weight: 1, arbitrary: notArray },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: badId },
    { weight: 1, arbitrary: badAction },
    { weight: 1, arbitrary: strayResult },
  );
}

/** A raw WebSocket charger: frames in, frames out, close observed. */
export class RawCharger {
  private socket?: WebSocket;
  private readonly inbox: unknown[] = [];
  private waiter?: () => void;
  closed?: { code: number };
  /** How many of the hub's own calls this charger has refused: each refusal is a well-formed message, which ends a malformed streak for ocpp-rpc. */
  refusedHubCalls = 0;

  constructor(
    private readonly url: string,
    readonly id: string,
    private readonly password: string,
    private readonly protocol: Protocol,
  ) {}

  async connect(): Promise<void> {
    this.closed = undefined;
    this.inbox.length = 0;
    const socket = new WebSocket(`${this.url}/${this.id}`, [this.protocol], {
      headers: { Authorization: `Basic ${Buffer.from(`${this.id}:${this.password}`).toString('base64')}` },
    });
    this.socket = socket;
    // Events of an earlier socket (closing late) must not touch this connection's state.
    socket.on('message', (data: Buffer) => {
      if (socket !== this.socket) return;
      const frame = JSON.parse(data.toString('utf8'));
      // A call the hub makes of its own (a local list's GetLocalListVersion after the boot, a device
      // report) is not an answer to a fuzz frame: refused at once, so the hub is not left waiting.
      if (Array.isArray(frame) && frame[0] === 2) {
        socket.send(JSON.stringify([4, frame[1], 'NotImplemented', 'the fuzz charger answers no calls of the hub', {}]));
        this.refusedHubCalls++;
        return;
      }
      this.inbox.push(frame);
      this.waiter?.();
    });
    socket.on('close', (...args: unknown[]) => {
      if (socket !== this.socket) return;
      this.closed = { code: args[0] as number };
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => resolve());
      socket.on('unexpected-response', () => reject(new Error(`${this.id} was refused`)));
      socket.on('error', (error) => reject(error as Error));
    });
  }

  send(text: string): void {
    this.socket!.send(text);
  }

  /** The next frame from the hub, or undefined when the connection closed or nothing came in time. */
  async next(timeoutMs = 10_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.inbox.shift();
  }

  /** Waits for the close the hub sends (or gives up). */
  async whenClosed(timeoutMs = 10_000): Promise<{ code: number } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return this.closed;
  }

  close(): void {
    this.socket?.close();
  }
}

export interface OcppFuzzReport {
  sent: number;
  /** `<protocol> <outcome>` → count, e.g. `ocpp1.6 CALLERROR FormationViolation`. */
  byOutcome: Record<string, number>;
  byKind: Record<string, number>;
  failures: { protocol: Protocol; frame: Omit<Frame, 'text'> & { text: string }; problem: string }[];
  wellBehaved: { calls: number; failures: string[] };
  databaseChanges: string[];
  errorLogs: string[];
  actions: Record<Protocol, { handled: string[]; unhandled: number }>;
}

function isCallError(message: unknown): message is [4, string, string, string, unknown] {
  return Array.isArray(message) && message[0] === 4 && typeof message[1] === 'string' && typeof message[2] === 'string' && typeof message[3] === 'string';
}

/** Registers a charger through the admin API; returns its password. */
export async function registerCharger(hub: TestHub, id: string): Promise<string> {
  await putOwnLocations(hub, `LOC-${id}`);
  const response = await hub.admin.post('/admin/chargers', { id, location_id: `LOC-${id}`, evses: [{ ocpp_connector: '1', evse_uid: `NL*HUB*${id}`, connector_id: '1' }] });
  if (response.status !== 201) throw new Error(`could not register ${id}: ${JSON.stringify(response.data)}`);
  return response.data.password as string;
}

/**
 * Sends `framesPerProtocol` generated frames from a fuzzing charger of each protocol, `floodEvery`
 * frames a flood of `floodSize` calls without waiting, and now and then an oversize frame; meanwhile a
 * well-behaved 1.6 charger sends DataTransfer calls (answered without writing anything).
 */
export async function runOcppFuzz(hub: TestHub, options: { framesPerProtocol: number; seed: number; floodSize?: number; floodEvery?: number; oversizeEvery?: number; streakEvery?: number }): Promise<OcppFuzzReport> {
  const floodSize = options.floodSize ?? 100;
  const floodEvery = options.floodEvery ?? 1000;
  const oversizeEvery = options.oversizeEvery ?? 2500;
  const streakEvery = options.streakEvery ?? 500;
  const suffix = randomBytes(3).toString('hex');
  const fuzzers = await Promise.all(
    (['ocpp1.6', 'ocpp2.0.1'] as Protocol[]).map(async (protocol) => {
      const id = `FUZZ-${protocol === 'ocpp1.6' ? '16' : '201'}-${suffix}`;
      return new RawCharger(hub.ocppUrl, id, await registerCharger(hub, id), protocol);
    }),
  );
  const goodId = `GOOD-${suffix}`;
  const good: RPCClient = await connectChargePoint(hub, { id: goodId, password: await registerCharger(hub, goodId), protocol: 'ocpp1.6' });
  for (const f of fuzzers) await f.connect();
  // A connection's bookkeeping (protocol, instance) is written after the handshake: wait for it, so
  // the digest below is taken after it and not raced by it.
  const chargerIds = [goodId, ...fuzzers.map((f) => f.id)];
  await waitFor(async () => {
    const [row]: { n: string }[] = await hub.services.db.query(`SELECT count(*) AS n FROM chargers WHERE id = ANY($1) AND protocol IS NOT NULL AND connected_instance IS NOT NULL`, [chargerIds]);
    return Number(row.n) === chargerIds.length;
  }, 'the chargers\' connection marks', 10_000);

  const report: OcppFuzzReport = { sent: 0, byOutcome: {}, byKind: {}, failures: [], wellBehaved: { calls: 0, failures: [] }, databaseChanges: [], errorLogs: [], actions: {} as OcppFuzzReport['actions'] };
  const logStart = hub.logLines.length;
  const before = await databaseDigest(hub.services.db);

  let fuzzing = true;
  const wellBehaved = (async () => {
    while (fuzzing) {
      try {
        const answer = (await good.call('DataTransfer', { vendorId: 'org.example.fuzz', messageId: 'ping' })) as { status?: string };
        if (answer.status !== 'UnknownVendorId') report.wellBehaved.failures.push(`answered ${JSON.stringify(answer)}`);
      } catch (error) {
        report.wellBehaved.failures.push((error as Error).message);
      }
      report.wellBehaved.calls++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const count = (protocol: Protocol, outcome: string) => {
    const key = `${protocol} ${outcome}`;
    report.byOutcome[key] = (report.byOutcome[key] ?? 0) + 1;
  };

  await Promise.all(
    fuzzers.map(async (charger, index) => {
      const protocol = (['ocpp1.6', 'ocpp2.0.1'] as Protocol[])[index];
      const schemas = actionSchemas(protocol);
      report.actions[protocol] = { handled: schemas.actions.filter((a) => a.handled).map((a) => a.action), unhandled: schemas.actions.filter((a) => !a.handled).length };
      const frames = fc.sample(frameArbitrary(schemas), { numRuns: options.framesPerProtocol, seed: options.seed + index });
      let badInARow = 0;
      let refusalsSeen = 0;
      const late = { ids: new Set<string>(), anonymous: 0 };
      const fail = (frame: Frame, problem: string) => report.failures.push({ protocol, frame: { ...frame, text: frame.text.slice(0, 200) }, problem });
      const reconnect = async () => {
        charger.close();
        await charger.connect();
        late.ids.clear();
        late.anonymous = 0;
        badInARow = 0;
      };

      const handle = async (frame: Frame): Promise<void> => {
        report.byKind[frame.kind] = (report.byKind[frame.kind] ?? 0) + 1;
        // A refusal of a hub call went out before this frame: ocpp-rpc counts the malformed streak from 0 again.
        if (charger.refusedHubCalls !== refusalsSeen) {
          refusalsSeen = charger.refusedHubCalls;
          badInARow = 0;
        }
        charger.send(frame.text);
        report.sent++;
        badInARow = frame.neutral ? badInARow : frame.garbage ? badInARow + 1 : 0;
        if (badInARow > MAX_BAD_MESSAGES) {
          // The documented rule: the 11th malformed frame in a row closes the connection with 1002.
          const closed = await charger.whenClosed();
          count(protocol, closed ? `closed ${closed.code}` : 'garbage not closed');
          if (closed?.code !== 1002) fail(frame, `after ${badInARow} malformed frames: closed ${closed?.code}`);
          await reconnect();
          return;
        }
        if (frame.expect.reply === 'none') {
          count(protocol, 'no reply (as expected)');
          return;
        }
        if (frame.expect.reply !== 'callerror') return;
        let reply = await charger.next();
        // A reply that comes after its frame was given up on (a loaded machine) is skipped, not taken
        // for the current frame's.
        while (isCallError(reply) && reply[1] !== frame.expect.id && (late.ids.delete(reply[1]) || (reply[1] === '-1' && late.anonymous-- > 0))) reply = await charger.next();
        if (!isCallError(reply)) {
          if (reply === undefined && !charger.closed) {
            if (frame.expect.id === '-1') late.anonymous++;
            else late.ids.add(frame.expect.id);
          }
          count(protocol, 'FAILED');
          fail(frame, `expected a CALLERROR, got ${JSON.stringify(reply)?.slice(0, 200) ?? (charger.closed ? `close ${charger.closed.code}` : 'nothing')}`);
          if (charger.closed) await reconnect();
          return;
        }
        const [, id, code] = reply;
        if (id !== frame.expect.id || !frame.expect.codes.includes(code)) {
          count(protocol, 'FAILED');
          fail(frame, `answered ${JSON.stringify(reply).slice(0, 200)}, expected id ${frame.expect.id} with ${frame.expect.codes.join('/')}`);
          return;
        }
        count(protocol, `CALLERROR ${code}`);
      };

      for (let i = 0; i < frames.length; i++) {
        if (i > 0 && i % oversizeEvery === 0) {
          charger.send(`[2,"big","Heartbeat",{"x":"${'x'.repeat(MAX_MESSAGE_BYTES)}"}]`);
          report.sent++;
          const closed = await charger.whenClosed();
          count(protocol, closed ? `closed ${closed.code}` : 'oversize frame not refused');
          if (closed?.code !== 1009) fail({ kind: 'oversize frame', detail: '4 MiB', text: '(4 MiB + 30 bytes)', garbage: false, expect: { reply: 'close', code: 1009 } }, `closed with ${closed?.code}`);
          await reconnect();
        }
        if (i > 0 && i % floodEvery === 0) {
          // A flood: many calls at once, every one answered.
          const flood = Array.from({ length: floodSize }, (_, k) => frames[(i + k) % frames.length]()).filter((f) => !f.garbage);
          for (const f of flood) charger.send(f.text);
          report.sent += flood.length;
          const answered = new Map<string, unknown>();
          while (answered.size < flood.length) {
            const message = await charger.next();
            if (message === undefined) break;
            if (Array.isArray(message)) answered.set(String(message[1]), message);
          }
          for (const f of flood) {
            if (f.expect.reply !== 'callerror') continue;
            const reply = answered.get(f.expect.id);
            const ok = isCallError(reply) && f.expect.codes.includes(reply[2]);
            count(protocol, ok ? `flood CALLERROR ${(reply as string[])[2]}` : 'flood FAILED');
            if (!ok) fail(f, `flood reply ${JSON.stringify(reply)?.slice(0, 200)}`);
          }
          report.byKind['flood'] = (report.byKind['flood'] ?? 0) + flood.length;
          if (flood.length) badInARow = 0; // well-formed calls reset the hub's count of malformed frames
        }

        if (i > 0 && i % streakEvery === 0) {
          // A streak of malformed frames: ten are answered, the eleventh closes the connection.
          const streak = frames.map((f) => f()).filter((f) => f.garbage);
          for (let k = 0; k <= MAX_BAD_MESSAGES && streak.length; k++) await handle(streak[k % streak.length]);
        }
        await handle(frames[i]());
      }
    }),
  );

  fuzzing = false;
  await wellBehaved;
  report.databaseChanges = digestDifferences(before, await databaseDigest(hub.services.db));
  report.errorLogs = hub.logLines.slice(logStart).filter((line) => (JSON.parse(line) as { level: number }).level >= 50).slice(0, 20);
  for (const f of fuzzers) f.close();
  await good.close();
  return report;
}
