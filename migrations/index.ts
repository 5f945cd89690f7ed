import { Foundation1763700000000 } from './1763700000000-Foundation';

/** Every migration, oldest first. A new migration is added here as well as in its own file. */
export const migrations = [Foundation1763700000000];
