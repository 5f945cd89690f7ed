import { Foundation1763700000000 } from './1763700000000-Foundation';
import { Routing1763700100000 } from './1763700100000-Routing';
import { Chargers1763700300000 } from './1763700300000-Chargers';
import { CdrRatings1763700400000 } from './1763700400000-CdrRatings';
import { OwnChargePoints1763700500000 } from './1763700500000-OwnChargePoints';
import { Settlement1763700600000 } from './1763700600000-Settlement';
import { Payments1763700700000 } from './1763700700000-Payments';
import { OwnTariffs1763700800000 } from './1763700800000-OwnTariffs';
import { LoadManagement1763700900000 } from './1763700900000-LoadManagement';
import { RemoteStarts1763701000000 } from './1763701000000-RemoteStarts';
import { DeliveryIndexes1763701100000 } from './1763701100000-DeliveryIndexes';
import { LostTransactions1763701250000 } from './1763701250000-LostTransactions';
import { PartnerHealth1763701500000 } from './1763701500000-PartnerHealth';
import { DeliveryVersions1763701600000 } from './1763701600000-DeliveryVersions';
import { SettlementTimeZones1763701700000 } from './1763701700000-SettlementTimeZones';
import { PayoutRetries1763701800000 } from './1763701800000-PayoutRetries';
import { PartyTimeZones1763702000000 } from './1763702000000-PartyTimeZones';
import { TokenContractIds1763702010000 } from './1763702010000-TokenContractIds';
import { ObjectOriginals1763701900000 } from './1763701900000-ObjectOriginals';
import { PartnerFinance1763702700000 } from './1763702700000-PartnerFinance';
import { SignedMeterValues1763703000000 } from './1763703000000-SignedMeterValues';
import { AuditLog1763703300000 } from './1763703300000-AuditLog';
import { HubCertificateAuthority1763704000000 } from './1763704000000-HubCertificateAuthority';
import { ReliabilityDays1763704200000 } from './1763704200000-ReliabilityDays';
import { ChargerConnectionLog1763704210000 } from './1763704210000-ChargerConnectionLog';
import { ChargerAuthorizations1763704220000 } from './1763704220000-ChargerAuthorizations';
import { SitePlanner1763704300000 } from './1763704300000-SitePlanner';
import { BookingFees1763704400000 } from './1763704400000-BookingFees';
import { Fleets1763704700000 } from './1763704700000-Fleets';
import { HubCaCrls1763705200000 } from './1763705200000-HubCaCrls';
import { ReliabilityFacts1763705300000 } from './1763705300000-ReliabilityFacts';
import { ReliabilityMonths1763705400000 } from './1763705400000-ReliabilityMonths';
import { ObjectCounts1763705600000 } from './1763705600000-ObjectCounts';
import { SettlementCdrAmounts1763705700000 } from './1763705700000-SettlementCdrAmounts';
import { ReliabilityHistory1763703200000 } from './1763703200000-ReliabilityHistory';
import { ReliabilityPlaybooks1763703210000 } from './1763703210000-ReliabilityPlaybooks';
import { NapPublications1763702400000 } from './1763702400000-NapPublications';
import { DriverPage1763702500000 } from './1763702500000-DriverPage';
import { TrafficRecords1763702600000 } from './1763702600000-TrafficRecords';
import { ChargerDeviceModel1763702300000 } from './1763702300000-ChargerDeviceModel';
import { ChargerCosts1763702310000 } from './1763702310000-ChargerCosts';
import { ChargerActions1763702200000 } from './1763702200000-ChargerActions';
import { OwnBookings1763703100000 } from './1763703100000-OwnBookings';
import { LocalAuthLists1763702900000 } from './1763702900000-LocalAuthLists';

/** Every migration, oldest first. A new migration is added here as well as in its own file. */
export const migrations = [
  Foundation1763700000000,
  Routing1763700100000,
  Chargers1763700300000,
  CdrRatings1763700400000,
  OwnChargePoints1763700500000,
  Settlement1763700600000,
  Payments1763700700000,
  OwnTariffs1763700800000,
  LoadManagement1763700900000,
  RemoteStarts1763701000000,
  DeliveryIndexes1763701100000,
  LostTransactions1763701250000,
  PartnerHealth1763701500000,
  DeliveryVersions1763701600000,
  SettlementTimeZones1763701700000,
  PayoutRetries1763701800000,
  ObjectOriginals1763701900000,
  PartyTimeZones1763702000000,
  TokenContractIds1763702010000,
  ChargerActions1763702200000,
  ChargerDeviceModel1763702300000,
  ChargerCosts1763702310000,
  NapPublications1763702400000,
  DriverPage1763702500000,
  TrafficRecords1763702600000,
  PartnerFinance1763702700000,
  LocalAuthLists1763702900000,
  SignedMeterValues1763703000000,
  OwnBookings1763703100000,
  ReliabilityHistory1763703200000,
  ReliabilityPlaybooks1763703210000,
  AuditLog1763703300000,
  HubCertificateAuthority1763704000000,
  ReliabilityDays1763704200000,
  ChargerConnectionLog1763704210000,
  ChargerAuthorizations1763704220000,
  SitePlanner1763704300000,
  BookingFees1763704400000,
  Fleets1763704700000,
  HubCaCrls1763705200000,
  ReliabilityFacts1763705300000,
  ReliabilityMonths1763705400000,
  ObjectCounts1763705600000,
  SettlementCdrAmounts1763705700000,
  // (new migrations go above this line, oldest first)
];
