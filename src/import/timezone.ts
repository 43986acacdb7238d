import { GovdbError } from '../errors';

/**
 * The rule for legacy timestamps: a value with a zone (Z, ±HH:MM) keeps it; a naive value is local
 * time of the old server, interpreted in the source zone (a fixed offset like -07:00 or an IANA name
 * like America/Phoenix). Output is an ISO-8601 string with an explicit offset and the source's
 * fraction digits (up to microseconds, PostgreSQL's precision), so microseconds survive: JS Dates
 * would round them to milliseconds.
 */
export interface SourceZone {
  /** as given by the user, e.g. "-07:00" or "America/Phoenix" */
  name: string;
  /** offset suffix (e.g. "-07:00") for a naive local wall time */
  offsetFor(localWallMs: number): string;
}

const FIXED = /^(?:UTC|Z|([+-])(\d{2}):?(\d{2}))$/i;

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function parseSourceZone(name: string): SourceZone {
  const fixed = FIXED.exec(name.trim());
  if (fixed) {
    const minutes = fixed[1] ? (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) : 0;
    if (Math.abs(minutes) > 14 * 60) {
      throw new GovdbError('INVALID_INPUT', `--source-timezone ${JSON.stringify(name)} is outside -14:00..+14:00.`, { hint: 'Use an offset like -07:00 or an IANA zone like America/Phoenix.' });
    }
    const suffix = formatOffset(minutes);
    return { name, offsetFor: () => suffix };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  } catch {
    throw new GovdbError('INVALID_INPUT', `--source-timezone ${JSON.stringify(name)} is neither a UTC offset nor an IANA time zone.`, {
      hint: 'Use an offset like -07:00 (the old server ran at UTC-07:00) or an IANA zone like America/Phoenix.',
    });
  }
  // offset of the zone at a given instant, in minutes
  const offsetAt = (instantMs: number): number => {
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(instantMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
    return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60000);
  };
  return {
    name,
    offsetFor(localWallMs: number): string {
      // the wall time read as UTC, corrected twice so that DST transitions settle
      const first = offsetAt(localWallMs);
      const second = offsetAt(localWallMs - first * 60000);
      return formatOffset(second);
    },
  };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Normalises a legacy timestamp (ISO-8601 string, naive or zoned, or epoch seconds/milliseconds) to
 * an ISO string with an explicit offset; undefined if it is not a timestamp.
 */
export function toTimestamp(value: unknown, zone: SourceZone): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const ms = value > 1e12 ? value : value * 1000;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac, tz] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(wall);
  if (Number.isNaN(wall) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  let offset: string;
  if (!tz) offset = zone.offsetFor(wall);
  else if (tz.toUpperCase() === 'Z') offset = '+00:00';
  else {
    const digits = tz.replace(':', '');
    offset = `${digits.slice(0, 3)}:${digits.slice(3, 5) || '00'}`;
  }
  const fraction = frac ? `.${frac.slice(0, 6)}` : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${offset}`;
}

/** Milliseconds since epoch of a normalised timestamp (for ordering in TypeScript). */
export function timestampMs(iso: string): number {
  return Date.parse(iso);
}
