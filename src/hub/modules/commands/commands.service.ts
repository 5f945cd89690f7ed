import type { z } from 'zod';
import { OcpiError, OcpiStatus, ocpiErrors } from '../../ocpi/ocpi-errors';
import { parseOcpiBody } from '../../ocpi/ocpi-validate';
import type { ModuleDeps } from '../module-deps';
import { HUB_FORM_VERSION, isOcpiVersion, type OcpiVersion } from '../../../core/ocpi-versions/ocpi-versions';
import { versionBaseUrl } from '../versions/hub-versions';
import { commandSubject, commandTarget, followUpResult, rolesForToken } from './commands.rules';
import { COMMAND_BODIES, type CommandBody, CommandResponse, CommandResult, type CommandType, StartSession } from './commands.schema';
import { type Caller, type CpoRoute, cpoRoutes, ResultRelay, routeByObject, routeBySession, routeTo, same } from './result-relay';
import type { PartyAddress, RoleAddress } from '../../ocpi/party-address';

export const COMMANDS_SENDER_PATH = '/sender/commands';

/**
 * How long the hub waits for the result of a command accepted by a CPO whose answer gives no timeout
 * (2.1.1 CommandResponse has none): the eMSP is sent TIMEOUT after it (plus RESULT_GRACE_SECONDS).
 */
export const RESULT_WAIT_SECONDS = 60;

const SWEEP_INTERVAL_MS = 1000;

/** What the reliability measures keep of a START_SESSION (docs/reliability.md, "Forwarded START_SESSION"). */
const startSessionFacts = (body: z.infer<typeof StartSession>) => ({ locationId: body.location_id, ...(body.evse_uid && { evseUid: body.evse_uid }), tokenUid: body.token.uid });

/** A CPO the hub serves in-process (its own charge points): it answers commands instead of a partner. */
export interface InProcessCpo {
  cpo: RoleAddress;
  handle(command: CommandType, body: CommandBody, requestId: string): Promise<CommandResponse>;
}

/**
 * Commands through the hub: an eMSP's command is forwarded to the CPO it is for, with the hub's
 * response_url; the CPO's CommandResult comes back to the hub and is delivered to the eMSP's own
 * response_url, or TIMEOUT when it does not come in time.
 */
export class CommandsService {
  private readonly relay: ResultRelay;
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;
  private inProcess?: InProcessCpo;

  constructor(private readonly deps: ModuleDeps) {
    this.relay = new ResultRelay(deps, 'commands');
  }

  /** Commands for `cpo.cpo` are answered by it in-process rather than forwarded over OCPI. */
  serveInProcess(cpo: InProcessCpo): void {
    this.inProcess = cpo;
  }

  /** The result of a command an in-process CPO carried out, as if it had POSTed it to the hub's response_url. */
  postInProcessResult(command: CommandType, id: string, result: string, message?: string): Promise<void> {
    const cpo = this.inProcess!.cpo;
    return this.receiveResult({ partyUuid: '', roles: [cpo] }, command, id, { result, ...(message ? { message: [{ language: 'en', text: message.slice(0, 512) }] } : {}) });
  }

  /** Receiver POST {command}: validates, picks the CPO, forwards and returns its CommandResponse. */
  async send(
    caller: Caller,
    to: PartyAddress | undefined,
    command: CommandType,
    rawBody: unknown,
    correlationId?: string,
  ): Promise<{ route: CpoRoute; response: CommandResponse }> {
    const { schema, name } = COMMAND_BODIES[command];
    const body = parseOcpiBody(schema, rawBody, name) as CommandBody;
    const route = await this.route(rolesForToken(caller.roles, body), to, command, body);
    // The CPO posts its result in its own version, to the hub's route of that version.
    const cpoVersion = await this.versionOf(route.cpo.partyUuid);
    const response = await this.relay.relay({
      caller,
      route,
      operation: command,
      subject: commandSubject(command, body),
      responseUrl: body.response_url,
      correlationId,
      hubResponseUrl: (id) => `${versionBaseUrl(this.deps.publicUrl, cpoVersion)}${COMMANDS_SENDER_PATH}/${command}/${id}`,
      send: async (hubResponseUrl, id) =>
        this.inProcess && same(route.cpo, this.inProcess.cpo)
          ? { data: await this.inProcess.handle(command, body, id) }
          : this.deps.router.forward({
              target: route.cpo,
              from: route.requester,
              module: 'commands',
              interfaceRole: 'RECEIVER',
              method: 'POST',
              path: `/${command}`,
              body: { ...(rawBody as object), response_url: hubResponseUrl },
              correlationId,
              // A 2.1.1 CommandResponse has no timeout: the hub waits its own time for the result.
              answerContext: async () => ({ timeoutSeconds: RESULT_WAIT_SECONDS }),
            }),
      responseSchema: CommandResponse,
      what: 'CommandResponse',
      ...(command === 'START_SESSION' && { startSession: startSessionFacts(body as z.infer<typeof StartSession>) }),
    });
    return { route, response };
  }

  /** Sender POST {command}/{id}: the CPO's CommandResult, passed on to the eMSP. */
  async receiveResult(poster: Caller, command: string, id: string, body: unknown): Promise<void> {
    await this.relay.acceptResult({
      poster: poster.roles,
      id,
      matches: (request) => request.operation === command,
      parse: (_, raw) => parseOcpiBody(CommandResult, raw, 'CommandResult'),
      followUp: (request, result) => followUpResult(request.operation, result),
      body,
    });
  }

  /**
   * Sends TIMEOUT to the eMSP of every command whose result is overdue, and refuses its result from
   * then on. Safe to run on several hub instances at once: each overdue command is taken by one.
   */
  sweepTimeouts(now = new Date()): Promise<number> {
    return this.relay.timeOut(now, { result: 'TIMEOUT' });
  }

  /** Sweeps every second until stop(). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweepTimeouts()
        .catch((error) => this.deps.log.error({ err: error }, 'commands: sweeping timed-out commands failed'))
        .finally(() => (this.sweeping = undefined));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** The version the hub speaks with a party (its routes exist: the version was negotiated with an offered one). */
  private async versionOf(partyUuid: string): Promise<OcpiVersion> {
    const party = partyUuid ? await this.deps.parties.get(partyUuid) : undefined;
    return party && isOcpiVersion(party.version) && this.deps.config.ocpiVersions.includes(party.version) ? party.version : HUB_FORM_VERSION;
  }

  /** The CPO: the one in OCPI-to-* (direct), else the one the command's location, session or reservation belongs to. */
  private async route(roles: Caller['roles'], to: PartyAddress | undefined, command: CommandType, body: CommandBody): Promise<CpoRoute> {
    const routes = await cpoRoutes(this.deps.router, roles);
    const target = commandTarget(command, body);
    const direct = to && !this.deps.router.isHub(to) ? to : undefined;
    if (target.by === 'session') {
      return routeBySession(this.deps.store, routes, direct, target.sessionId, () =>
        ocpiErrors.invalidParameters(`session_id: unknown session ${target.sessionId} at the CPOs you have agreements with; name the CPO with OCPI-to-country-code/party-id`),
      );
    }
    if (direct) return routeTo(routes, direct);
    switch (target.by) {
      case 'location':
        return routeByObject(this.deps.store, routes, 'locations', target.locationId, () =>
          new OcpiError(OcpiStatus.UNKNOWN_LOCATION, `Unknown location ${target.locationId} at the CPOs you have agreements with`),
        );
      case 'reservation': {
        const reservation = await this.relay.requests.latest('commands', 'RESERVE_NOW', target.reservationId, { requesters: roles });
        if (!reservation) {
          throw ocpiErrors.invalidParameters(
            `reservation_id: no RESERVE_NOW with reservation ${target.reservationId} was accepted through the hub; name the CPO with OCPI-to-country-code/party-id`,
          );
        }
        return routeTo(routes.filter((r) => same(r.requester, reservation.requester)), reservation.receiver);
      }
    }
  }
}
