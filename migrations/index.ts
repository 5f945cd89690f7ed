import { Foundation1763700000000 } from './1763700000000-Foundation';
import { Routing1763700100000 } from './1763700100000-Routing';
import { Chargers1763700300000 } from './1763700300000-Chargers';
import { CdrRatings1763700400000 } from './1763700400000-CdrRatings';
import { OwnChargePoints1763700500000 } from './1763700500000-OwnChargePoints';

/** Every migration, oldest first. A new migration is added here as well as in its own file. */
export const migrations = [
  Foundation1763700000000,
  Routing1763700100000,
  Chargers1763700300000,
  CdrRatings1763700400000,
  OwnChargePoints1763700500000,
  // (new migrations go above this line, oldest first)
];
