import type { z } from 'zod';
import { commandTypeOfBody, hasAnyField as has } from '../object-kinds';
import { type Translation, TranslationRefused } from '../loss-report';
import type { TranslationContext, VersionBridge } from '../translate';
import { fromV211Cdr, toV211Cdr } from './cdrs.v211-translation';
import { CdrV211 } from './cdrs.v211.schema';
import {
  fromV211Command,
  fromV211CommandResponse,
  fromV211CommandResult,
  toV211Command,
  toV211CommandResponse,
  toV211CommandResult,
} from './commands.v211-translation';
import { COMMAND_BODIES_V211, CommandResponseV211, type CommandTypeV211 } from './commands.v211.schema';
import { fromV211Credentials, fromV211VersionDetails, toV211Credentials, toV211VersionDetails } from './credentials.v211-translation';
import { CredentialsV211, VersionDetailsV211 } from './credentials.v211.schema';
import {
  fromV211Connector,
  fromV211Evse,
  fromV211Location,
  fromV211LocationPatch,
  toV211Connector,
  toV211Evse,
  toV211Location,
  toV211LocationPatch,
} from './locations.v211-translation';
import { ConnectorPatchV211, EvsePatchV211, LocationPatchV211, LocationV211 } from './locations.v211.schema';
import { fromV211Session, fromV211SessionPatch, toV211Session, toV211SessionPatch } from './sessions.v211-translation';
import { SessionPatchV211, SessionV211 } from './sessions.v211.schema';
import { fromV211Tariff, fromV211TariffPatch, toV211Tariff, toV211TariffPatch } from './tariffs.v211-translation';
import { TariffPatchV211, TariffV211 } from './tariffs.v211.schema';
import {
  fromV211AuthorizationInfo,
  fromV211LocationReferences,
  fromV211Token,
  fromV211TokenPatch,
  toV211AuthorizationInfo,
  toV211LocationReferences,
  toV211Token,
} from './tokens.v211-translation';
import { AuthorizationInfoV211, LocationReferencesV211, TokenPatchV211, TokenV211 } from './tokens.v211.schema';
import type { JsonObject, KnownToken, PartyIdentity } from './translation-kit.v211';

/**
 * The bridge between 2.1.1 and the hub form (2.2.1) for translateObject (translate.ts): `up` is
 * 2.1.1 → 2.2.1, `down` 2.2.1 → 2.1.1, each step one of the v2.1.1 translations. What 2.1.1 lacks is
 * taken from the context (docs/versions.md, "2.1.1 lacks what 2.2.1 requires"): the sender's address
 * (`sender`), its configured time zone, the token behind an auth_id (`knownToken`), the receipt time,
 * the party's role; towards 2.1.1 the Location of a session or CDR (`location`). A step without the
 * context it needs refuses. A 2.1.1 body is checked against the 2.1.1 schema first, so bad input is a
 * refusal with the text's reasons, never a half-read object.
 */


function refuse(to: '2.1.1' | '2.2.1', reason: string): never {
  throw new TranslationRefused(to === '2.2.1' ? '2.1.1' : '2.2.1', to, reason);
}

/** The 2.1.1 object as its schema reads it, or a refusal naming what is wrong. */
function read<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    refuse('2.2.1', `not a valid OCPI 2.1.1 ${what}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function owner(context: TranslationContext): PartyIdentity {
  if (!context.sender) refuse('2.2.1', 'OCPI 2.1.1 objects carry no owner; the hub must pass the sender');
  return context.sender;
}

function objectOf(value: unknown, to: '2.1.1' | '2.2.1'): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(to, 'the body is not a JSON object');
  return value as JsonObject;
}

const knownToken = (context: TranslationContext) => context.knownToken as KnownToken | undefined;
const knownLocation = (context: TranslationContext) => context.location as JsonObject | undefined;

// Which object of a module a step was given is read from its fields (each has fields the others lack).
const CONNECTOR_ONLY = ['standard', 'format', 'power_type', 'voltage', 'amperage', 'max_voltage', 'max_amperage', 'max_electric_power', 'tariff_id', 'tariff_ids', 'terms_and_conditions'];
const EVSE_ONLY = ['uid', 'evse_id', 'status', 'status_schedule', 'connectors', 'floor_level', 'physical_reference', 'parking_restrictions'];
// Not coordinates, directions or images: a 2.1.1 EVSE has them too.
const LOCATION_ONLY = ['type', 'parking_type', 'address', 'city', 'postal_code', 'publish', 'evses', 'time_zone', 'operator', 'facilities', 'opening_times'];
type LocationPart = 'location' | 'evse' | 'connector';
function locationPart(object: JsonObject): LocationPart {
  if (has(object, ...LOCATION_ONLY)) return 'location';
  if (has(object, ...EVSE_ONLY)) return 'evse';
  if (has(object, ...CONNECTOR_ONLY)) return 'connector';
  return 'location'; // a PATCH of last_updated only, say: the Location's translation carries it
}

function locationsUp(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = objectOf(value, '2.2.1');
  const part = locationPart(object);
  const ctx = { receivedAt: context.receivedAt };
  if (part === 'connector') return fromV211Connector(read(ConnectorPatchV211, object, 'Connector'), ctx);
  if (part === 'evse') return fromV211Evse(read(EvsePatchV211, object, 'EVSE'), ctx);
  if (context.partial) return fromV211LocationPatch(read(LocationPatchV211, object, 'Location'), ctx);
  return fromV211Location(read(LocationV211, object, 'Location'), { owner: owner(context), timeZone: context.timeZone, receivedAt: context.receivedAt });
}

function locationsDown(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = objectOf(value, '2.1.1');
  const part = locationPart(object);
  if (part === 'connector') return toV211Connector(object);
  if (part === 'evse') return toV211Evse(object);
  return context.partial ? toV211LocationPatch(object) : toV211Location(object);
}

function tokensUp(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = objectOf(value, '2.2.1');
  if (has(object, 'allowed')) return fromV211AuthorizationInfo(read(AuthorizationInfoV211, object, 'AuthorizationInfo'), { token: knownToken(context) });
  // The body of a real-time authorization request: LocationReferences (no uid, a location_id).
  if (has(object, 'location_id') && !has(object, 'uid')) return fromV211LocationReferences(read(LocationReferencesV211, object, 'LocationReferences'));
  if (context.partial) return fromV211TokenPatch(read(TokenPatchV211, object, 'Token'), { receivedAt: context.receivedAt });
  return fromV211Token(read(TokenV211, object, 'Token'), { owner: owner(context) });
}

function tokensDown(value: unknown): Translation<unknown> {
  const object = objectOf(value, '2.1.1');
  if (has(object, 'allowed')) return toV211AuthorizationInfo(object);
  if (has(object, 'location_id') && !has(object, 'uid')) return toV211LocationReferences(object);
  return toV211Token(object);
}

/** The 2.1.1 command a body is, by the fields each command alone requires. */
function commandTypeV211(object: JsonObject): CommandTypeV211 {
  if (has(object, 'expiry_date')) return 'RESERVE_NOW';
  if (has(object, 'token')) return 'START_SESSION';
  if (has(object, 'session_id')) return 'STOP_SESSION';
  return 'UNLOCK_CONNECTOR';
}

function commandsUp(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = objectOf(value, '2.2.1');
  if (has(object, 'result')) {
    const response = read(CommandResponseV211, object, 'CommandResponse');
    // The one 2.1.1 object is both: the hub passes its wait when it reads the synchronous answer.
    return context.timeoutSeconds === undefined ? fromV211CommandResult(response) : fromV211CommandResponse(response, { timeoutSeconds: context.timeoutSeconds });
  }
  const type = commandTypeV211(object);
  return fromV211Command(type, read(COMMAND_BODIES_V211[type] as z.ZodType<JsonObject>, object, type), { owner: owner(context) });
}

function commandsDown(value: unknown): Translation<unknown> {
  const object = objectOf(value, '2.1.1');
  if (has(object, 'result')) return has(object, 'timeout') ? toV211CommandResponse(object) : toV211CommandResult(object);
  // A 2.2.1 body with none of the fields below is a CANCEL_RESERVATION, which 2.1.1 lacks (refused).
  const type = commandTypeOfBody(object);
  return toV211Command(type, object);
}

function credentialsUp(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = objectOf(value, '2.2.1');
  if (!context.role) refuse('2.2.1', 'OCPI 2.1.1 credentials and endpoints carry no role; the hub must pass the role it registered the party in');
  if (has(object, 'endpoints')) return fromV211VersionDetails(read(VersionDetailsV211, object, 'version details'), { role: context.role });
  return fromV211Credentials(read(CredentialsV211, object, 'Credentials'), { role: context.role });
}

function credentialsDown(value: unknown, context: TranslationContext): Translation<unknown> {
  const object = objectOf(value, '2.1.1');
  if (has(object, 'endpoints')) return toV211VersionDetails(object);
  return toV211Credentials(object, { party: context.party });
}

export const BRIDGE_V211_V221: VersionBridge = {
  older: '2.1.1',
  newer: '2.2.1',
  up: {
    credentials: credentialsUp,
    locations: locationsUp,
    tariffs: (value, context) =>
      context.partial
        ? fromV211TariffPatch(read(TariffPatchV211, value, 'Tariff'), { receivedAt: context.receivedAt })
        : fromV211Tariff(read(TariffV211, value, 'Tariff'), { owner: owner(context) }),
    sessions: (value, context) =>
      context.partial
        ? fromV211SessionPatch(read(SessionPatchV211, value, 'Session'), { receivedAt: context.receivedAt, token: knownToken(context) })
        : fromV211Session(read(SessionV211, value, 'Session'), { owner: owner(context), token: knownToken(context) }),
    cdrs: (value, context) => fromV211Cdr(read(CdrV211, value, 'CDR'), { owner: owner(context), token: knownToken(context) }),
    tokens: tokensUp,
    commands: commandsUp,
  },
  down: {
    credentials: credentialsDown,
    locations: locationsDown,
    tariffs: (value, context) => (context.partial ? toV211TariffPatch(objectOf(value, '2.1.1')) : toV211Tariff(objectOf(value, '2.1.1'))),
    sessions: (value, context) =>
      context.partial
        ? toV211SessionPatch(objectOf(value, '2.1.1'), { location: knownLocation(context) })
        : toV211Session(objectOf(value, '2.1.1'), { location: knownLocation(context) }),
    cdrs: (value, context) => toV211Cdr(objectOf(value, '2.1.1'), { location: knownLocation(context) }),
    tokens: tokensDown,
    commands: commandsDown,
  },
};
