/**
 * Site load allocation core: pure functions, no I/O. See docs/load-management.md.
 */
export * from './site';
export { localTime, isWindowActive, activeWindows, nextBoundary, type LocalTime } from './time-windows';
export { limitToAmps, nodeCapacities, type NodeCapacity } from './capacity';
export {
  allocate,
  DEFAULT_GIVE_BACK,
  type Allocation,
  type AllocationOptions,
  type AllocationReason,
  type ConnectorLimit,
  type GiveBackOptions,
  type NodeUsage,
} from './allocate';
export { orderProfileChanges, type ProfileChange, type ProfileChangeOptions } from './profile-changes';
export { profileLimitAmps, profileNextChange, type OcpiChargingProfile } from './session-profile';
export { evDemandOf, type EvChargingNeeds, type EvDemand } from './ev-charging-needs';
