import { LossRecorder, type Translation } from '../loss-report';
import type { JsonObject } from './hub-form-values.v221';
import { priceFromV230, priceToV230, tokenTypeFromV230, type PriceV221 } from './price.v230-translation';
import { SessionPatchV230, SessionV230, type SessionPatchV230 as SessionPatch, type SessionV230 as Session } from './sessions.v230.schema';
import type { PriceV230 } from './types.v230.schema';
import { withoutUndocumentedFields } from './undocumented-fields.v230';

/**
 * Sessions between OCPI 2.3.0 and the hub form (2.2.1): the Session object is unchanged but for the
 * 2.3.0 Price in total_cost (tax lines: price.v230-translation.ts) and the TokenType in cdr_token.
 */

const fromV230 = () => new LossRecorder('2.3.0', '2.2.1');

function sessionFields(session: JsonObject, losses: LossRecorder): JsonObject {
  const out = { ...session };
  if (out.total_cost) out.total_cost = priceFromV230(out.total_cost as PriceV230, 'total_cost', losses);
  if (out.cdr_token) {
    const token = out.cdr_token as JsonObject;
    out.cdr_token = { ...token, type: tokenTypeFromV230(String(token.type), 'cdr_token.type', losses) };
  }
  return out;
}

export function sessionFromV230(session: Session): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(SessionV230, session, '', losses) as JsonObject;
  return { value: sessionFields(clean, losses), losses: losses.losses };
}

export function sessionPatchFromV230(patch: SessionPatch): Translation<JsonObject> {
  const losses = fromV230();
  const clean = withoutUndocumentedFields(SessionPatchV230, patch, '', losses) as JsonObject;
  return { value: sessionFields(clean, losses), losses: losses.losses };
}

function sessionFieldsToV230(session: JsonObject): JsonObject {
  const out = structuredClone(session);
  if (out.total_cost) out.total_cost = priceToV230(out.total_cost as PriceV221);
  return out;
}

export function sessionToV230(session: JsonObject): Translation<Session> {
  return { value: sessionFieldsToV230(session) as Session, losses: [] };
}
export function sessionPatchToV230(patch: JsonObject): Translation<SessionPatch> {
  return { value: sessionFieldsToV230(patch) as SessionPatch, losses: [] };
}
