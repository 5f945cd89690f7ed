import type { Logger } from 'pino';
import type { TokensService } from '../../hub/modules/tokens/tokens.service';
import type { Token } from '../../hub/modules/tokens/tokens.schema';
import { emspUnreachable } from '../../hub/modules/tokens/tokens.routing';
import type { PartyAddress, RoleAddress } from '../../hub/ocpi/party-address';
import type { CdrToken } from '../../core/charging/ocpi-records';

/** The outcome of presenting a token at one of the hub's own charge points (OCPI AllowedType, plus UNKNOWN). */
export type AuthorizationStatus = 'ALLOWED' | 'BLOCKED' | 'EXPIRED' | 'NO_CREDIT' | 'NOT_ALLOWED' | 'UNKNOWN';

export interface DriverAuthorizationResult {
  status: AuthorizationStatus;
  /** OCPI AuthMethod: the token list (WHITELIST), a real-time request (AUTH_REQUEST) or a command. */
  authMethod: 'WHITELIST' | 'AUTH_REQUEST' | 'COMMAND';
  cdrToken?: CdrToken;
  authorizationReference?: string;
  /** Until when a charger may keep the answer in its own authorization cache (absent: it should not). */
  cacheUntil?: Date;
  /** Why, for the log and the operator. */
  reason: string;
}

/** An in-process authority for tokens that are not an eMSP's (ad hoc payments). */
export interface LocalAuthority {
  authorize(uid: string, chargerId?: string): Promise<DriverAuthorizationResult | undefined>;
}

export interface PresentedToken {
  uid: string;
  /** OCPI TokenType; OCPP 1.6 idTags are RFID unless the hub issued them for an app or command. */
  type: string;
  locationId?: string;
  evseUid?: string;
}

/** How long an Authorize answer stands for the start that follows it. */
const RECENT_MS = 3 * 60_000;

/** How long a charger may cache a token the eMSP lets the hub whitelist. */
const WHITELIST_CACHE_MS = 24 * 3600_000;

const cdrTokenOf = (token: Token): CdrToken => ({
  country_code: token.country_code,
  party_id: token.party_id,
  uid: token.uid,
  type: token.type,
  contract_id: token.contract_id,
});

/**
 * Decides whether a driver may charge at the hub's own charge points. Tokens eMSPs pushed to the hub
 * are honoured as their `whitelist` says (mod_tokens, WhitelistType): ALWAYS and ALLOWED from the list,
 * ALLOWED_OFFLINE by real-time authorization with the list as fallback when the eMSP cannot be reached,
 * NEVER only by real-time authorization. A token the hub does not hold is UNKNOWN: without it the hub
 * cannot know which eMSP to ask.
 */
export class DriverAuthorization {
  private readonly authorities: LocalAuthority[] = [];
  /** Decisions per charger and token for a few minutes: an Authorize and the start that follows ask the eMSP once. */
  private readonly recent = new Map<string, { result: DriverAuthorizationResult; expires: number }>();

  constructor(
    private readonly deps: { tokens: TokensService; ownCpo: RoleAddress; log: Logger },
  ) {}

  /** Adds an in-process authority asked before the token lists (payments register theirs). */
  addAuthority(authority: LocalAuthority): void {
    this.authorities.push(authority);
  }

  /**
   * The decision for a token presented at a charger: a fresh one from the last few minutes (the
   * Authorize before a start), else asked now.
   */
  async authorizeAt(chargerId: string, presented: PresentedToken): Promise<DriverAuthorizationResult> {
    const key = `${chargerId}|${presented.uid}`;
    const hit = this.recent.get(key);
    if (hit && hit.expires > Date.now()) return hit.result;
    const result = await this.authorize(presented, chargerId);
    this.remember(chargerId, presented.uid, result, RECENT_MS);
    return result;
  }

  private remember(chargerId: string, uid: string, result: DriverAuthorizationResult, forMs: number): void {
    if (this.recent.size > 50_000) this.recent.clear();
    this.recent.set(`${chargerId}|${uid}`, { result, expires: Date.now() + forMs });
  }

  async authorize(presented: PresentedToken, chargerId?: string): Promise<DriverAuthorizationResult> {
    for (const authority of this.authorities) {
      const decided = await authority.authorize(presented.uid, chargerId);
      if (decided) return decided;
    }
    const stored = await this.findToken(presented);
    if (!stored) return { status: 'UNKNOWN', authMethod: 'WHITELIST', reason: 'no eMSP with a roaming agreement issued this token' };
    const { token, emsp } = stored;
    const fromList = (why: string): DriverAuthorizationResult => ({
      status: token.valid ? 'ALLOWED' : 'BLOCKED',
      authMethod: 'WHITELIST',
      cdrToken: cdrTokenOf(token),
      cacheUntil: token.valid ? new Date(Date.now() + WHITELIST_CACHE_MS) : undefined,
      reason: token.valid ? why : 'the eMSP marked the token not valid',
    });
    if (token.whitelist === 'ALWAYS' || token.whitelist === 'ALLOWED') return fromList(`whitelisted (${token.whitelist})`);
    try {
      return await this.askEmsp(presented, token, emsp);
    } catch (error) {
      // The eMSP could not be asked: the only case in which an ALLOWED_OFFLINE token may be decided from the list.
      if (token.whitelist === 'ALLOWED_OFFLINE' && emspUnreachable(error)) {
        const decided = fromList('the eMSP could not be reached; ALLOWED_OFFLINE lets the list decide');
        return { ...decided, cacheUntil: undefined };
      }
      this.deps.log.warn({ err: error, uid: presented.uid, emsp }, 'real-time authorization failed');
      return {
        status: 'NOT_ALLOWED',
        authMethod: 'AUTH_REQUEST',
        cdrToken: cdrTokenOf(token),
        reason: `real-time authorization failed: ${(error as Error).message}`,
      };
    }
  }

  /** The token among those of eMSPs the own CPO has agreements with; the valid one wins when several eMSPs use a uid. */
  private async findToken(presented: PresentedToken): Promise<{ token: Token; emsp: PartyAddress } | undefined> {
    const found = await this.deps.tokens.heldFor(this.deps.ownCpo, presented.uid, presented.type);
    const best = found.find((f) => f.token.valid) ?? found[0];
    return best && { token: best.token, emsp: best.owner };
  }

  private async askEmsp(presented: PresentedToken, token: Token, emsp: PartyAddress): Promise<DriverAuthorizationResult> {
    const references = presented.locationId
      ? { location_id: presented.locationId, ...(presented.evseUid ? { evse_uids: [presented.evseUid] } : {}) }
      : undefined;
    const info = (await this.deps.tokens.authorize([this.deps.ownCpo], emsp, { uid: token.uid, type: token.type }, references)) as {
      allowed: AuthorizationStatus;
      token?: Token;
      authorization_reference?: string;
    };
    return {
      status: info.allowed,
      authMethod: 'AUTH_REQUEST',
      cdrToken: cdrTokenOf(info.token ?? token),
      authorizationReference: info.authorization_reference,
      reason: `the eMSP answered ${info.allowed}`,
    };
  }
}
