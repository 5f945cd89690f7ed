/** The reliability core's public face: measures, health, alerts, incremental tracking, simulation. Pure, no I/O. */
export * from './reliability-input';
export { type EvseStatus, fromOcpp16Status, fromOcpp201Status, OCPI_EVSE_STATUSES } from '../charging/connector-status';
export * from './reliability-timeline';
export * from './reliability-success';
export * from './reliability-measures';
export * from './reliability-health';
export * from './reliability-alerts';
export * from './reliability-incremental';
export * from './reliability-simulation';
export * from './reliability-assessment';
export * from './reliability-days';
export * from './reliability-months';
export * from './reliability-playbook';
export * from './reliability-commands';
export * from './reliability-power';
