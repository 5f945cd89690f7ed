/** Names shared by the processes of bench:ocpp. */

/** The simulated chargers' identities (registered in bulk by bench/ocpp-hub.ts). */
export const benchChargerId = (i: number) => `BENCH${String(i).padStart(5, '0')}`;

/**
 * The token a charger presents: one per charger and phase (S: the storm's Authorize, T: the
 * throughput run's StartTransaction), so no decision is answered from another phase's memory.
 */
export const tokenOf = (chargerId: string, phase: 'S' | 'T') => `${phase}${chargerId}`;
