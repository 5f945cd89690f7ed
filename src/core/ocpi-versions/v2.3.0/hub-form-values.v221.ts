/**
 * The closed lists of values OCPI 2.2.1 (the hub form) knows, where 2.3.0 made the same list an
 * OpenEnum or added values. Written from the 2.2.1 text (tag 2.2.1): core cannot import the hub's
 * 2.2.1 schemas, and a translation must know which 2.3.0 values a 2.2.1 reader can take.
 */

/** JSON object as the hub form holds it (validated by the hub's 2.2.1 schemas before and after). */
export type JsonObject = { [field: string]: unknown };

export const CONNECTOR_TYPES_V221: readonly string[] = [
  'CHADEMO', 'CHAOJI', 'DOMESTIC_A', 'DOMESTIC_B', 'DOMESTIC_C', 'DOMESTIC_D', 'DOMESTIC_E', 'DOMESTIC_F', 'DOMESTIC_G', 'DOMESTIC_H',
  'DOMESTIC_I', 'DOMESTIC_J', 'DOMESTIC_K', 'DOMESTIC_L', 'DOMESTIC_M', 'DOMESTIC_N', 'DOMESTIC_O', 'GBT_AC', 'GBT_DC', 'IEC_60309_2_single_16',
  'IEC_60309_2_three_16', 'IEC_60309_2_three_32', 'IEC_60309_2_three_64', 'IEC_62196_T1', 'IEC_62196_T1_COMBO', 'IEC_62196_T2',
  'IEC_62196_T2_COMBO', 'IEC_62196_T3A', 'IEC_62196_T3C', 'NEMA_5_20', 'NEMA_6_30', 'NEMA_6_50', 'NEMA_10_30', 'NEMA_10_50', 'NEMA_14_30',
  'NEMA_14_50', 'PANTOGRAPH_BOTTOM_UP', 'PANTOGRAPH_TOP_DOWN', 'TESLA_R', 'TESLA_S',
];

export const CAPABILITIES_V221: readonly string[] = [
  'CHARGING_PROFILE_CAPABLE', 'CHARGING_PREFERENCES_CAPABLE', 'CHIP_CARD_SUPPORT', 'CONTACTLESS_CARD_SUPPORT', 'CREDIT_CARD_PAYABLE',
  'DEBIT_CARD_PAYABLE', 'PED_TERMINAL', 'REMOTE_START_STOP_CAPABLE', 'RESERVABLE', 'RFID_READER', 'START_SESSION_CONNECTOR_REQUIRED',
  'TOKEN_GROUP_CAPABLE', 'UNLOCK_CAPABLE',
];

export const FACILITIES_V221: readonly string[] = [
  'HOTEL', 'RESTAURANT', 'CAFE', 'MALL', 'SUPERMARKET', 'SPORT', 'RECREATION_AREA', 'NATURE', 'MUSEUM', 'BIKE_SHARING', 'BUS_STOP',
  'TAXI_STAND', 'TRAM_STOP', 'METRO_STATION', 'TRAIN_STATION', 'AIRPORT', 'PARKING_LOT', 'CARPOOL_PARKING', 'FUEL_STATION', 'WIFI',
];

export const PARKING_RESTRICTIONS_V221: readonly string[] = ['EV_ONLY', 'PLUGGED', 'DISABLED', 'CUSTOMERS', 'MOTORCYCLES'];

export const PARKING_TYPES_V221: readonly string[] = ['ALONG_MOTORWAY', 'PARKING_GARAGE', 'PARKING_LOT', 'ON_DRIVEWAY', 'ON_STREET', 'UNDERGROUND_GARAGE'];

export const IMAGE_CATEGORIES_V221: readonly string[] = ['CHARGER', 'ENTRANCE', 'LOCATION', 'NETWORK', 'OPERATOR', 'OTHER', 'OWNER'];

export const ENVIRONMENTAL_IMPACT_CATEGORIES_V221: readonly string[] = ['NUCLEAR_WASTE', 'CARBON_DIOXIDE'];

export const TOKEN_TYPES_V221: readonly string[] = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'];

export const COMMAND_TYPES_V221: readonly string[] = ['CANCEL_RESERVATION', 'RESERVE_NOW', 'START_SESSION', 'STOP_SESSION', 'UNLOCK_CONNECTOR'];
