const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * A formatter that reads an instant as wall-clock parts (24-hour) in an IANA time zone, made once per
 * zone (building one is costly). Shared by the pricing and allocation cores; an unknown zone throws.
 */
export function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}
