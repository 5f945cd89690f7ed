import type { LossRecorder } from '../loss-report';
import { ENVIRONMENTAL_IMPACT_CATEGORIES_V221, IMAGE_CATEGORIES_V221, type JsonObject } from './hub-form-values.v221';
import { joinPath } from './undocumented-fields.v230';

/**
 * Values of 2.3.0 OpenEnums that 2.2.1's closed lists do not hold: a 2.2.1 receiver may refuse the
 * whole object for one unknown value, so each such value is left out and named.
 */

/**
 * Records a dropped field when it carries something: an empty list says nothing ("If empty, it
 * might be null, [] or the field might be omitted", terminology.asciidoc, Cardinality).
 */
export function dropIfCarried(losses: LossRecorder, path: string, value: unknown, detail: string): void {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return;
  losses.record(path, 'field_dropped', detail);
}

/** The values of an OpenEnum list that 2.2.1 knows; every other is recorded as value_dropped. */
export function knownValuesOnly(values: readonly string[], known: readonly string[], path: string, what: string, losses: LossRecorder): string[] {
  const kept: string[] = [];
  values.forEach((value, index) => {
    if (known.includes(value)) kept.push(value);
    else losses.record(joinPath(path, index), 'value_dropped', `${what} ${value} does not exist in OCPI 2.2.1; left out`);
  });
  return kept;
}

/** An image, or undefined when 2.2.1 does not know its category (required, so the image is left out). */
export function imageFromV230(image: JsonObject, path: string, losses: LossRecorder): JsonObject | undefined {
  if (IMAGE_CATEGORIES_V221.includes(String(image.category))) return image;
  losses.record(joinPath(path, 'category'), 'value_dropped', `image category ${String(image.category)} does not exist in OCPI 2.2.1; the image is left out`);
  return undefined;
}

export function imagesFromV230(images: readonly JsonObject[], path: string, losses: LossRecorder): JsonObject[] {
  return images.flatMap((image, index) => {
    const kept = imageFromV230(image, joinPath(path, index), losses);
    return kept ? [kept] : [];
  });
}

/** BusinessDetails: a logo whose category 2.2.1 does not know is left out. */
export function businessDetailsFromV230(details: JsonObject, path: string, losses: LossRecorder): JsonObject {
  const { logo, ...rest } = details;
  if (logo === undefined || logo === null) return details;
  const kept = imageFromV230(logo as JsonObject, joinPath(path, 'logo'), losses);
  return kept ? { ...rest, logo: kept } : rest;
}

/** EnergyMix: environmental impact categories 2.2.1 does not know are left out. */
export function energyMixFromV230(mix: JsonObject, path: string, losses: LossRecorder): JsonObject {
  if (!Array.isArray(mix.environ_impact)) return mix;
  const impacts = mix.environ_impact as JsonObject[];
  const kept = impacts.filter((impact, index) => {
    if (ENVIRONMENTAL_IMPACT_CATEGORIES_V221.includes(String(impact.category))) return true;
    losses.record(
      joinPath(joinPath(joinPath(path, 'environ_impact'), index), 'category'),
      'value_dropped',
      `environmental impact category ${String(impact.category)} does not exist in OCPI 2.2.1; left out`,
    );
    return false;
  });
  return { ...mix, environ_impact: kept };
}
