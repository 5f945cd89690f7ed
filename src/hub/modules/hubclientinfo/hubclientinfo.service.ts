import type { DataSource } from 'typeorm';
import { type Party, PartyRoleEntity } from '../../../db/entities';
import type { NewDelivery, Outbox } from '../../routing/outbox';
import { connectionStatus, type ConnectionStatus, type PartyRegistry } from '../../routing/parties';
import { onlyNap } from '../../routing/agreements';
import type { Page, PageRequest } from '../../ocpi/pagination';

/** ClientInfo (mod_hub_client_info.asciidoc). */
export interface ClientInfo {
  party_id: string;
  country_code: string;
  role: string;
  status: ConnectionStatus;
  last_updated: string;
}

export const HUBCLIENTINFO_PAGE_LIMIT = 500;

export function clientInfosOf(party: Party): ClientInfo[] {
  return (party.roles ?? []).map((role) => ({
    party_id: role.partyId,
    country_code: role.countryCode,
    role: role.role,
    status: connectionStatus(party),
    last_updated: party.statusChangedAt.toISOString(),
  }));
}

/**
 * The hub's ClientInfo: the list it serves (Sender interface) and the pushes of every status change to
 * the connected parties' Receiver endpoints, through the outbox.
 */
export class HubClientInfoService {
  constructor(private readonly deps: { db: DataSource; parties: PartyRegistry; outbox: Outbox }) {}

  /** Every role of every party, oldest status change first (stable: then by role id). */
  async list(page: PageRequest): Promise<Page<ClientInfo>> {
    const query = this.deps.db
      .getRepository(PartyRoleEntity)
      .createQueryBuilder('role')
      .innerJoinAndSelect('role.party', 'party');
    if (page.dateFrom) query.andWhere('party.status_changed_at >= :from', { from: page.dateFrom });
    if (page.dateTo) query.andWhere('party.status_changed_at < :to', { to: page.dateTo });
    const [roles, total] = await query
      .orderBy('party.status_changed_at', 'ASC')
      .addOrderBy('role.id', 'ASC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    const items = roles.map((role) => clientInfosOf({ ...role.party!, roles: [role] })[0]);
    return { items, total };
  }

  /** Tells every other connected party about `party`'s new status; a newly connected party learns everyone's. */
  async pushStatusChange(party: Party): Promise<void> {
    const everyone = await this.deps.parties.list();
    const receivers = everyone.filter((p) => p.id !== party.id && connectionStatus(p) !== 'PLANNED' && !p.suspendedAt);
    const deliveries = receivers.flatMap((receiver) => this.deliveriesTo(receiver, party));
    if (connectionStatus(party) === 'CONNECTED') {
      for (const other of everyone) if (other.id !== party.id) deliveries.push(...this.deliveriesTo(party, other));
    }
    await this.deps.outbox.enqueue(deliveries);
  }

  private deliveriesTo(receiver: Party, about: Party): NewDelivery[] {
    // A National Access Point is told nothing about the other parties (docs/afir.md).
    if (onlyNap(receiver) || !this.deps.parties.endpoint(receiver, 'hubclientinfo', 'RECEIVER')) return [];
    return clientInfosOf(about).map((info) => ({
      partyUuid: receiver.id,
      module: 'hubclientinfo',
      interfaceRole: 'RECEIVER',
      method: 'PUT',
      path: `/${info.country_code}/${info.party_id}`,
      body: info,
      objectKey: `hubclientinfo/${info.country_code}/${info.party_id}/${info.role}`,
      objectVersion: `${info.last_updated}/${info.status}`,
    }));
  }
}
