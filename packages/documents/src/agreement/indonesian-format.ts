const MONTHS = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
const DAYS = ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'];
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

type CalendarDate = { year: number; month: number; day: number; weekday: number; hour: number; minute: number };

/** Wall-clock fields of `d` in WIB (UTC+7, no DST), computed without the host time zone. */
export function toWib(d: Date): CalendarDate {
  const w = new Date(d.getTime() + WIB_OFFSET_MS);
  return {
    year: w.getUTCFullYear(),
    month: w.getUTCMonth() + 1,
    day: w.getUTCDate(),
    weekday: w.getUTCDay(),
    hour: w.getUTCHours(),
    minute: w.getUTCMinutes(),
  };
}

/** Parses `YYYY-MM-DD` as a calendar date (no time zone involved); throws RangeError for anything else. */
function fromIsoDate(s: string): CalendarDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(s)}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, weekday, hour: 0, minute: 0 };
}

function asCalendar(d: Date | string): CalendarDate {
  return typeof d === 'string' ? fromIsoDate(d) : toWib(d);
}

/** "27 November 2026" (a Date is read in WIB; a `YYYY-MM-DD` string as is). */
export function formatDateId(d: Date | string): string {
  const c = asCalendar(d);
  return `${c.day} ${monthNameId(c.month)} ${c.year}`;
}

/** "27 November 2026 pukul 10.30 WIB". */
export function formatDateTimeId(d: Date): string {
  const c = toWib(d);
  const hh = String(c.hour).padStart(2, '0');
  const mm = String(c.minute).padStart(2, '0');
  return `${formatDateId(d)} pukul ${hh}.${mm} WIB`;
}

/** Day name in Indonesian ("Jumat"). */
export function dayNameId(d: Date | string): string {
  return weekdayName(asCalendar(d).weekday);
}

/** Month name in Indonesian (1-based month); throws RangeError outside 1–12. */
function monthNameId(month: number): string {
  const name = MONTHS[month - 1];
  if (name === undefined) throw new RangeError(`not a month number: ${month}`);
  return name;
}

/** Day name for a `Date#getUTCDay()` value (0 = Minggu); throws RangeError outside 0–6. */
function weekdayName(weekday: number): string {
  const name = DAYS[weekday];
  if (name === undefined) throw new RangeError(`not a weekday number: ${weekday}`);
  return name;
}

const ONES = ['', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan', 'sepuluh', 'sebelas'];

/** Indonesian number words ("terbilang"), for 0 ≤ n < 10^12: 2026 → "dua ribu dua puluh enam". */
export function terbilang(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`terbilang: unsupported ${n}`);
  if (n === 0) return 'nol';
  return words(n).trim().replace(/\s+/g, ' ');
}

function words(n: number): string {
  if (n < 12) {
    const word = ONES[n];
    if (word === undefined) throw new RangeError(`terbilang: unsupported ${n}`);
    return word;
  }
  if (n < 20) return `${words(n - 10)} belas`;
  if (n < 100) return `${words(Math.floor(n / 10))} puluh ${words(n % 10)}`;
  if (n < 200) return `seratus ${words(n - 100)}`;
  if (n < 1000) return `${words(Math.floor(n / 100))} ratus ${words(n % 100)}`;
  if (n < 2000) return `seribu ${words(n - 1000)}`;
  if (n < 1e6) return `${words(Math.floor(n / 1000))} ribu ${words(n % 1000)}`;
  if (n < 1e9) return `${words(Math.floor(n / 1e6))} juta ${words(n % 1e6)}`;
  return `${words(Math.floor(n / 1e9))} miliar ${words(n % 1e9)}`;
}

/** The formal opening: "Jumat tanggal dua puluh tujuh bulan November tahun dua ribu dua puluh enam". */
export function formalDateWords(d: Date): string {
  const c = toWib(d);
  return `${weekdayName(c.weekday)} tanggal ${terbilang(c.day)} bulan ${monthNameId(c.month)} tahun ${terbilang(c.year)}`;
}
