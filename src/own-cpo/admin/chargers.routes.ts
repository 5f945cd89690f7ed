import Router from '@koa/router';
import { z } from 'zod';
import {
  CHARGER_ID,
  CHARGER_PASSWORD,
  type Charger,
  type ChargersService,
  type ChargerWithSecret,
  OCPP_CONNECTOR,
  REGISTRATION_STATUSES,
} from '../chargers/chargers.service';
import type { EvseStatusPublisher } from '../charging/evse-status';
import type { OcppServer } from '../ocpp/ocpp-server';
import type { LocationsService } from '../../hub/modules/locations/locations.service';
import { AdminError, parseAdminBody } from '../../http/admin-http';
import type { RoleAddress } from '../../hub/ocpi/party-address';

/** OCPI CiString(36): location ids, EVSE uids and connector ids. */
const OcpiId = z.string().regex(/^[\x21-\x7e]{1,36}$/, 'must be 1 to 36 printable ASCII characters without spaces');

const Password = z.string().regex(CHARGER_PASSWORD, 'must be 16 to 40 printable ASCII characters without spaces (OCPP BasicAuthPassword)');

const EvseMappingBody = z
  .strictObject({
    ocpp_connector: z.string().regex(OCPP_CONNECTOR, 'must be an OCPP 1.6 connectorId ("1") or a 2.0.1 evseId/connectorId ("1/1"), from 1'),
    evse_uid: OcpiId,
    connector_id: OcpiId,
  })
  .transform((e) => ({ ocppConnector: e.ocpp_connector, evseUid: e.evse_uid, connectorId: e.connector_id }));

const Evses = z.array(EvseMappingBody).max(100);

const NewChargerBody = z.strictObject({
  id: z.string().regex(CHARGER_ID, 'must be 1 to 48 letters, digits or * _ = + | @ . -, starting with a letter or digit'),
  password: Password.optional(),
  location_id: OcpiId.nullable().optional(),
  evses: Evses.optional(),
});

const ChargerChangesBody = z.strictObject({
  location_id: OcpiId.nullable().optional(),
  evses: Evses.optional(),
  status: z.enum(REGISTRATION_STATUSES).optional(),
  password: Password.optional(),
  generate_password: z.literal(true).optional(),
});

/** A path id that is not a valid charge point identity names no charger: 404, never a database error. */
function chargerIdParam(value: string | undefined): string {
  if (!value || !CHARGER_ID.test(value)) throw new AdminError(404, 'not_found', `No charger with id ${value}`);
  return value;
}

/** What the operator sees of a charger: the registry, the live connection (this instance's, else as recorded), the connectors. */
export function chargerView(charger: Charger, ocpp: OcppServer) {
  const live = ocpp.connection(charger.id);
  const elsewhere = !live && charger.connectedInstance !== ocpp.instanceId ? charger.connectedInstance : null;
  return {
    id: charger.id,
    status: charger.status,
    protocol: live?.protocol ?? charger.protocol,
    location_id: charger.locationId,
    evses: charger.evses.map((e) => ({ ocpp_connector: e.ocppConnector, evse_uid: e.evseUid, connector_id: e.connectorId })),
    boot: charger.boot && {
      vendor: charger.boot.vendor,
      model: charger.boot.model,
      serial_number: charger.boot.serialNumber ?? null,
      firmware_version: charger.boot.firmwareVersion ?? null,
    },
    connection: {
      connected: Boolean(live || elsewhere),
      instance: live ? ocpp.instanceId : elsewhere,
      last_connected_at: live?.since ?? charger.lastConnectedAt,
      last_heartbeat_at: charger.lastHeartbeatAt,
    },
    connectors: charger.connectors.map((c) => ({ connector: c.connector, status: c.status, error_code: c.errorCode, updated_at: c.updatedAt })),
    created_at: charger.createdAt,
    updated_at: charger.updatedAt,
  };
}

/** The hub's own charge points: `/admin/chargers`. A generated password is in the answer once, never again. */
export function chargersAdminRouter(deps: { chargers: ChargersService; ocpp: OcppServer; locations: LocationsService; ownCpo: RoleAddress; evseStatus: EvseStatusPublisher }): Router {
  const { chargers, ocpp, evseStatus } = deps;
  // A charger serves EVSEs of an own location: one that does not exist would publish statuses and
  // sessions for nothing (`charger add --location TYPO` was accepted).
  const requireOwnLocation = async (locationId: string | null | undefined) => {
    if (!locationId) return;
    if (!(await deps.locations.storedOf(deps.ownCpo, locationId))) {
      throw new AdminError(400, 'invalid_request', `location_id: no own location ${locationId}; create it first (PUT /admin/locations/${locationId})`);
    }
  };
  const router = new Router({ prefix: '/admin/chargers' });
  const withSecret = ({ charger, password }: ChargerWithSecret) => ({ charger: chargerView(charger, ocpp), ...(password && { password }) });

  router.post('/', async (ctx) => {
    const body = parseAdminBody(NewChargerBody, ctx.request.body);
    await requireOwnLocation(body.location_id);
    const registered = await chargers.register({ id: body.id, password: body.password, locationId: body.location_id, evses: body.evses });
    await evseStatus.showCharger(registered.charger);
    ctx.status = 201;
    ctx.set('Location', `/admin/chargers/${encodeURIComponent(body.id)}`);
    ctx.body = withSecret(registered);
  });

  router.get('/', async (ctx) => {
    ctx.body = (await chargers.list()).map((charger) => chargerView(charger, ocpp));
  });

  router.get('/:id', async (ctx) => {
    ctx.body = chargerView(await chargers.require(chargerIdParam(ctx.params.id)), ocpp);
  });

  router.patch('/:id', async (ctx) => {
    const id = chargerIdParam(ctx.params.id);
    const body = parseAdminBody(ChargerChangesBody, ctx.request.body);
    await requireOwnLocation(body.location_id);
    const updated = await chargers.update(id, {
      locationId: body.location_id,
      evses: body.evses,
      status: body.status,
      password: body.password,
      generatePassword: body.generate_password,
    });
    if (body.location_id !== undefined || body.evses !== undefined) await evseStatus.showCharger(updated.charger);
    ctx.body = withSecret(updated);
  });

  router.delete('/:id', async (ctx) => {
    const id = chargerIdParam(ctx.params.id);
    await chargers.remove(id);
    ocpp.disconnect(id);
    ctx.status = 204;
  });

  return router;
}
