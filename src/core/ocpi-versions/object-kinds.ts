/**
 * Which object of a module a body is, read from the fields it carries: a translation step receives
 * only the object, and the objects of one module (a Location, an EVSE or a Connector; a command
 * request, response or result) each have fields the others lack. The same fields tell them apart in
 * 2.2.1 and 2.3.0, so both bridges read them here.
 */
type JsonObject = Record<string, unknown>;

/** Whether the object has any of these fields. */
export const hasAnyField = (value: JsonObject, ...fields: string[]) => fields.some((f) => f in value);

export type CommandTypeOfBody = 'RESERVE_NOW' | 'START_SESSION' | 'STOP_SESSION' | 'UNLOCK_CONNECTOR' | 'CANCEL_RESERVATION';

/** The command a request body is (2.2.1 and 2.3.0): by the field only its type has; none of them is a CANCEL_RESERVATION. */
export function commandTypeOfBody(object: JsonObject): CommandTypeOfBody {
  if (hasAnyField(object, 'expiry_date')) return 'RESERVE_NOW';
  if (hasAnyField(object, 'token')) return 'START_SESSION';
  if (hasAnyField(object, 'session_id')) return 'STOP_SESSION';
  if (hasAnyField(object, 'connector_id')) return 'UNLOCK_CONNECTOR';
  return 'CANCEL_RESERVATION';
}
