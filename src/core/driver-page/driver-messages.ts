/**
 * The driver's page in the location country's language and English (a small table per language), and the
 * choice between them: the driver's browser (Accept-Language, by its q-values) when it asks for a language
 * the page has, else the language of the country the charger stands in, else English. Pure.
 */

export const DRIVER_LANGUAGES = ['en', 'de', 'nl', 'fr'] as const;
export type DriverLanguage = (typeof DRIVER_LANGUAGES)[number];

/**
 * The language of each country whose drivers the page speaks to in their own, by ISO 3166 alpha-2 (a CPO's
 * country_code) and alpha-3 (an OCPI Location's `country`). Belgium and Switzerland have more than one: the
 * table names the one most drivers read, and the page always offers English beside it.
 */
const COUNTRY_LANGUAGE: Record<string, DriverLanguage> = {
  DE: 'de', DEU: 'de', AT: 'de', AUT: 'de', CH: 'de', CHE: 'de', LI: 'de', LIE: 'de',
  NL: 'nl', NLD: 'nl', BE: 'nl', BEL: 'nl',
  FR: 'fr', FRA: 'fr', LU: 'fr', LUX: 'fr', MC: 'fr', MCO: 'fr',
};

const en = {
  title: 'Charge here',
  connector: 'Connector',
  status: 'Status',
  price: 'Price (incl. VAT)',
  per_kwh: 'per kWh',
  per_minute: 'per minute of charging',
  per_session: 'per session',
  per_parking_minute: 'per minute parked after charging',
  billed_in_steps_kwh: 'billed per {step} kWh',
  billed_in_steps_min: 'billed per {step} min',
  vat: 'incl. {vat} % VAT',
  no_vat: 'no VAT stated',
  typical: 'A typical session: {kwh} kWh in {minutes} min costs {total}',
  varies: 'The price depends on the time of day; it is fixed when you start.',
  min_price: 'Minimum price per session: {amount}',
  max_price: 'Maximum price per session: {amount}',
  no_price: 'No ad hoc price is published for this connector.',
  hold: 'We hold {amount} on your card and charge only what you use; the rest is released.',
  pay: 'Pay with card and start',
  paying: 'Opening the payment page…',
  in_use: 'This connector is in use. Please choose another one.',
  not_available: 'This connector cannot be started now ({status}).',
  declined: 'Payment refused: {reason} You have not been charged. Try another card.',
  canceled: 'The payment was canceled and nothing was charged.',
  waiting: 'Payment received. Starting the charger…',
  plug_in: 'Plug in your car if you have not yet.',
  not_started: 'The charger did not start. The amount held on your card has been released.',
  charging: 'Charging',
  energy: 'Energy',
  power: 'Power',
  duration: 'Time',
  cost_so_far: 'Cost so far',
  stop: 'Stop charging',
  stopping: 'Stopping…',
  finished: 'Charging finished',
  receipt: 'Receipt',
  receipt_pdf: 'Download the receipt (PDF)',
  receipt_no: 'Receipt no.',
  date: 'Date',
  net: 'Net',
  vat_line: 'VAT {vat} %',
  total: 'Total',
  paid_card: 'Paid by card',
  released: 'Released on your card',
  operator: 'Operator',
  location: 'Location',
  evse: 'Charge point',
  session: 'Session',
  language: 'Language',
  statuses: { AVAILABLE: 'Available', CHARGING: 'In use', BLOCKED: 'Blocked', INOPERATIVE: 'Out of order', OUTOFORDER: 'Out of order', PLANNED: 'Planned', REMOVED: 'Removed', RESERVED: 'Reserved', UNKNOWN: 'Unknown' },
  energy_line: 'Energy {kwh} kWh',
  time_line: 'Charging time {minutes} min',
  parking_line: 'Parking time {minutes} min',
  flat_line: 'Session fee',
  adjustment_line: 'Minimum or maximum price',
  not_found: 'No charge point has this code. Check the code on the sticker.',
  payments_off: 'Card payment is not available at this charge point.',
  wait_receipt: 'Preparing your receipt…',
};
export type DriverMessages = typeof en;

const de: DriverMessages = {
  title: 'Hier laden',
  connector: 'Anschluss',
  status: 'Status',
  price: 'Preis (inkl. MwSt.)',
  per_kwh: 'pro kWh',
  per_minute: 'pro Minute Ladezeit',
  per_session: 'pro Ladevorgang',
  per_parking_minute: 'pro Minute Standzeit nach dem Laden',
  billed_in_steps_kwh: 'abgerechnet je {step} kWh',
  billed_in_steps_min: 'abgerechnet je {step} Min.',
  vat: 'inkl. {vat} % MwSt.',
  no_vat: 'ohne MwSt.-Angabe',
  typical: 'Ein typischer Ladevorgang: {kwh} kWh in {minutes} Min. kostet {total}',
  varies: 'Der Preis hängt von der Uhrzeit ab; er gilt ab dem Start.',
  min_price: 'Mindestpreis pro Ladevorgang: {amount}',
  max_price: 'Höchstpreis pro Ladevorgang: {amount}',
  no_price: 'Für diesen Anschluss ist kein Ad-hoc-Preis veröffentlicht.',
  hold: 'Wir reservieren {amount} auf Ihrer Karte und berechnen nur, was Sie laden; der Rest wird freigegeben.',
  pay: 'Mit Karte bezahlen und starten',
  paying: 'Die Zahlungsseite wird geöffnet…',
  in_use: 'Dieser Anschluss ist belegt. Bitte wählen Sie einen anderen.',
  not_available: 'Dieser Anschluss kann jetzt nicht gestartet werden ({status}).',
  declined: 'Zahlung abgelehnt: {reason} Es wurde nichts belastet. Versuchen Sie eine andere Karte.',
  canceled: 'Die Zahlung wurde abgebrochen, es wurde nichts belastet.',
  waiting: 'Zahlung erhalten. Die Ladesäule wird gestartet…',
  plug_in: 'Stecken Sie das Kabel ein, falls noch nicht geschehen.',
  not_started: 'Die Ladesäule hat nicht gestartet. Der reservierte Betrag wurde freigegeben.',
  charging: 'Ladevorgang läuft',
  energy: 'Energie',
  power: 'Leistung',
  duration: 'Dauer',
  cost_so_far: 'Bisherige Kosten',
  stop: 'Laden beenden',
  stopping: 'Wird beendet…',
  finished: 'Ladevorgang beendet',
  receipt: 'Beleg',
  receipt_pdf: 'Beleg herunterladen (PDF)',
  receipt_no: 'Belegnummer',
  date: 'Datum',
  net: 'Netto',
  vat_line: 'MwSt. {vat} %',
  total: 'Gesamt',
  paid_card: 'Mit Karte bezahlt',
  released: 'Auf Ihrer Karte freigegeben',
  operator: 'Betreiber',
  location: 'Standort',
  evse: 'Ladepunkt',
  session: 'Ladevorgang',
  language: 'Sprache',
  statuses: { AVAILABLE: 'Frei', CHARGING: 'Belegt', BLOCKED: 'Blockiert', INOPERATIVE: 'Außer Betrieb', OUTOFORDER: 'Außer Betrieb', PLANNED: 'Geplant', REMOVED: 'Entfernt', RESERVED: 'Reserviert', UNKNOWN: 'Unbekannt' },
  energy_line: 'Energie {kwh} kWh',
  time_line: 'Ladezeit {minutes} Min.',
  parking_line: 'Standzeit {minutes} Min.',
  flat_line: 'Startgebühr',
  adjustment_line: 'Mindest- oder Höchstpreis',
  not_found: 'Kein Ladepunkt hat diesen Code. Prüfen Sie den Code auf dem Aufkleber.',
  payments_off: 'Kartenzahlung ist an diesem Ladepunkt nicht möglich.',
  wait_receipt: 'Ihr Beleg wird erstellt…',
};

const nl: DriverMessages = {
  title: 'Hier laden',
  connector: 'Aansluiting',
  status: 'Status',
  price: 'Prijs (incl. btw)',
  per_kwh: 'per kWh',
  per_minute: 'per minuut laden',
  per_session: 'per laadsessie',
  per_parking_minute: 'per minuut parkeren na het laden',
  billed_in_steps_kwh: 'afgerekend per {step} kWh',
  billed_in_steps_min: 'afgerekend per {step} min',
  vat: 'incl. {vat} % btw',
  no_vat: 'geen btw vermeld',
  typical: 'Een gewone laadsessie: {kwh} kWh in {minutes} min kost {total}',
  varies: 'De prijs hangt af van het tijdstip; hij staat vast zodra u start.',
  min_price: 'Minimumprijs per sessie: {amount}',
  max_price: 'Maximumprijs per sessie: {amount}',
  no_price: 'Voor deze aansluiting is geen ad-hocprijs gepubliceerd.',
  hold: 'We reserveren {amount} op uw kaart en rekenen alleen af wat u laadt; de rest komt vrij.',
  pay: 'Betaal met kaart en start',
  paying: 'De betaalpagina wordt geopend…',
  in_use: 'Deze aansluiting is in gebruik. Kies een andere.',
  not_available: 'Deze aansluiting kan nu niet starten ({status}).',
  declined: 'Betaling geweigerd: {reason} Er is niets afgeschreven. Probeer een andere kaart.',
  canceled: 'De betaling is geannuleerd; er is niets afgeschreven.',
  waiting: 'Betaling ontvangen. De laadpaal wordt gestart…',
  plug_in: 'Steek de stekker in als u dat nog niet deed.',
  not_started: 'De laadpaal is niet gestart. Het gereserveerde bedrag is vrijgegeven.',
  charging: 'Bezig met laden',
  energy: 'Energie',
  power: 'Vermogen',
  duration: 'Tijd',
  cost_so_far: 'Kosten tot nu',
  stop: 'Laden stoppen',
  stopping: 'Wordt gestopt…',
  finished: 'Laden klaar',
  receipt: 'Bon',
  receipt_pdf: 'Bon downloaden (PDF)',
  receipt_no: 'Bonnummer',
  date: 'Datum',
  net: 'Netto',
  vat_line: 'Btw {vat} %',
  total: 'Totaal',
  paid_card: 'Betaald met kaart',
  released: 'Vrijgegeven op uw kaart',
  operator: 'Exploitant',
  location: 'Locatie',
  evse: 'Laadpunt',
  session: 'Sessie',
  language: 'Taal',
  statuses: { AVAILABLE: 'Vrij', CHARGING: 'In gebruik', BLOCKED: 'Geblokkeerd', INOPERATIVE: 'Buiten werking', OUTOFORDER: 'Defect', PLANNED: 'Gepland', REMOVED: 'Verwijderd', RESERVED: 'Gereserveerd', UNKNOWN: 'Onbekend' },
  energy_line: 'Energie {kwh} kWh',
  time_line: 'Laadtijd {minutes} min',
  parking_line: 'Parkeertijd {minutes} min',
  flat_line: 'Starttarief',
  adjustment_line: 'Minimum- of maximumprijs',
  not_found: 'Geen laadpunt heeft deze code. Controleer de code op de sticker.',
  payments_off: 'Betalen met kaart kan niet bij dit laadpunt.',
  wait_receipt: 'Uw bon wordt gemaakt…',
};

const fr: DriverMessages = {
  title: 'Recharger ici',
  connector: 'Prise',
  status: 'État',
  price: 'Prix (TTC)',
  per_kwh: 'par kWh',
  per_minute: 'par minute de recharge',
  per_session: 'par session',
  per_parking_minute: 'par minute de stationnement après la recharge',
  billed_in_steps_kwh: 'facturé par tranche de {step} kWh',
  billed_in_steps_min: 'facturé par tranche de {step} min',
  vat: 'TVA {vat} % incluse',
  no_vat: 'TVA non indiquée',
  typical: 'Une session type : {kwh} kWh en {minutes} min coûte {total}',
  varies: 'Le prix dépend de l’heure ; il est fixé au démarrage.',
  min_price: 'Prix minimum par session : {amount}',
  max_price: 'Prix maximum par session : {amount}',
  no_price: 'Aucun prix ad hoc n’est publié pour cette prise.',
  hold: 'Nous bloquons {amount} sur votre carte et ne débitons que ce que vous consommez ; le reste est libéré.',
  pay: 'Payer par carte et démarrer',
  paying: 'Ouverture de la page de paiement…',
  in_use: 'Cette prise est occupée. Choisissez-en une autre.',
  not_available: 'Cette prise ne peut pas démarrer maintenant ({status}).',
  declined: 'Paiement refusé : {reason} Rien n’a été débité. Essayez une autre carte.',
  canceled: 'Le paiement a été annulé ; rien n’a été débité.',
  waiting: 'Paiement reçu. Démarrage de la borne…',
  plug_in: 'Branchez votre véhicule si ce n’est pas fait.',
  not_started: 'La borne n’a pas démarré. Le montant bloqué a été libéré.',
  charging: 'Recharge en cours',
  energy: 'Énergie',
  power: 'Puissance',
  duration: 'Durée',
  cost_so_far: 'Coût actuel',
  stop: 'Arrêter la recharge',
  stopping: 'Arrêt…',
  finished: 'Recharge terminée',
  receipt: 'Reçu',
  receipt_pdf: 'Télécharger le reçu (PDF)',
  receipt_no: 'N° de reçu',
  date: 'Date',
  net: 'HT',
  vat_line: 'TVA {vat} %',
  total: 'Total TTC',
  paid_card: 'Payé par carte',
  released: 'Libéré sur votre carte',
  operator: 'Opérateur',
  location: 'Lieu',
  evse: 'Point de recharge',
  session: 'Session',
  language: 'Langue',
  statuses: { AVAILABLE: 'Libre', CHARGING: 'Occupée', BLOCKED: 'Bloquée', INOPERATIVE: 'Hors service', OUTOFORDER: 'En panne', PLANNED: 'Prévue', REMOVED: 'Retirée', RESERVED: 'Réservée', UNKNOWN: 'Inconnu' },
  energy_line: 'Énergie {kwh} kWh',
  time_line: 'Temps de recharge {minutes} min',
  parking_line: 'Stationnement {minutes} min',
  flat_line: 'Frais de session',
  adjustment_line: 'Prix minimum ou maximum',
  not_found: 'Aucun point de recharge n’a ce code. Vérifiez le code sur l’autocollant.',
  payments_off: 'Le paiement par carte n’est pas disponible ici.',
  wait_receipt: 'Préparation de votre reçu…',
};

export const DRIVER_MESSAGES: Record<DriverLanguage, DriverMessages> = { en, de, nl, fr };

/** The language a country's drivers read, when the page has it. */
export function countryLanguage(countryCode: string | undefined): DriverLanguage | undefined {
  return countryCode ? COUNTRY_LANGUAGE[countryCode.toUpperCase()] : undefined;
}

/** Accept-Language's languages, most wanted first (q=0 dropped, ties in the header's order). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => l.language && l.language !== '*' && Number.isFinite(l.q) && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.language);
}

/**
 * The page's language: one the driver chose on the page (`?lang=`), else the first of the browser's that the
 * page has, else the country's, else English.
 */
export function driverLanguage(input: { chosen?: string; acceptLanguage?: string; countryCode?: string }): DriverLanguage {
  const has = (l: string | undefined): l is DriverLanguage => l !== undefined && (DRIVER_LANGUAGES as readonly string[]).includes(l);
  if (has(input.chosen)) return input.chosen;
  const fromBrowser = acceptedLanguages(input.acceptLanguage).find(has);
  return fromBrowser ?? countryLanguage(input.countryCode) ?? 'en';
}

/** The languages the page offers a driver at a location: its country's and English. */
export function offeredLanguages(countryCode: string | undefined): DriverLanguage[] {
  const own = countryLanguage(countryCode);
  return own && own !== 'en' ? [own, 'en'] : ['en'];
}

/** A message with its {placeholders} filled. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** A decimal string ("0.2975") written as the language writes numbers (en 0.2975, de/nl/fr 0,2975). */
export function localNumber(decimal: string, language: DriverLanguage): string {
  return language === 'en' ? decimal : decimal.replace('.', ',');
}

/** An amount with its currency as the language writes it: "12.34 EUR" / "12,34 EUR". */
export function localMoney(decimal: string, currency: string, language: DriverLanguage): string {
  return `${localNumber(decimal, language)} ${currency}`;
}
