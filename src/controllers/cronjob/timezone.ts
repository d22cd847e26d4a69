// Wall-clock time in an IANA zone, from the runtime's time zone database (Intl), with the
// conversions a cron schedule needs in both directions.

export interface Wall { year: number; month: number; day: number; hour: number; minute: number; second: number }

export interface WallClock {
  /** The wall time at an instant (epoch ms). */
  wall(t: number): Wall;
  /**
   * The instant of a wall time; fields may overflow (month 13, day 32) and normalize. A time a
   * spring-forward skips resolves with the offset in force before the gap (so 02:30 on the
   * New York spring-forward day is 01:30 EST); a repeated time resolves to its first occurrence.
   */
  fromWall(year: number, month: number, day: number, hour: number, minute: number, second: number): number;
  /** Offset from UTC in ms at an instant. */
  offset(t: number): number;
}

const utcClock: WallClock = {
  wall(t) {
    const d = new Date(t);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  },
  fromWall: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h, mi, s),
  offset: () => 0,
};

const clocks = new Map<string, WallClock>();

function zoneClock(zone: string): WallClock {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const wall = (t: number): Wall => {
    const w: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const p of fmt.formatToParts(new Date(t))) {
      if (p.type in w) w[p.type as keyof Wall] = Number(p.value);
    }
    return w;
  };
  const offset = (t: number): number => {
    const whole = Math.floor(t / 1000) * 1000;
    const w = wall(whole);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
  };
  return {
    wall,
    offset,
    fromWall(y, mo, d, h, mi, s) {
      const local = Date.UTC(y, mo - 1, d, h, mi, s);
      // Guess with the offset in force at the local time read as UTC; if the result lies in a
      // period with another offset, that period's offset is the one to use.
      const first = offset(local);
      const utc = local - first;
      const actual = offset(utc);
      return actual === first ? utc : local - actual;
    },
  };
}

/** The wall clock of an IANA zone; throws on a zone the runtime does not know. */
export function wallClock(zone: string): WallClock {
  if (zone === 'UTC' || zone === 'Etc/UTC') return utcClock;
  let c = clocks.get(zone);
  if (!c) {
    c = zoneClock(zone);
    clocks.set(zone, c);
  }
  return c;
}

/** RFC 3339 with the zone's offset, to the second (as Go formats a time in its location). */
export function formatInZone(t: number, zone: string): string {
  const z = wallClock(zone);
  const w = z.wall(t);
  const pad = (n: number, l = 2) => String(n).padStart(l, '0');
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  const off = Math.round(z.offset(t) / 60_000);
  if (off === 0) return `${base}Z`;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${base}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}
