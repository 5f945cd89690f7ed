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
import { ChargerActions1763702200000 } from './1763702200000-ChargerActions';

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
  ChargerActions1763702200000,
  // (new migrations go above this line, oldest first)
];
