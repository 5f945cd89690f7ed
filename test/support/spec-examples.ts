/** Where the spec's example JSON files live in the repository (unmodified copies: test/fixtures/NOTICE). */
import path from 'node:path';

/** One file per ```json block of the 2.1.1 text; INDEX.md marks those that are not whole JSON values. */
export const OCPI_2_1_1_EXAMPLES = path.join(__dirname, '../fixtures/ocpi-2.1.1-examples');
export const OCPI_2_2_1_EXAMPLES = path.join(__dirname, '../fixtures/ocpi-2.2.1-examples');
export const OCPI_2_3_0_EXAMPLES = path.join(__dirname, '../fixtures/ocpi-2.3.0-examples');
