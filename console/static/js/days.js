// Dates as the calendar views need them: ISO text, a month's grid, and whether a day is
// worked on leave's own calendar (GET /leave/calendar: holidays, make-up days 调休, HR's
// overrides). Counting a request's days and naming its route are the server's
// (POST /leave/requests/preview): the console keeps no copy of those rules.

export function isoDate(d) {
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `${d.getUTCFullYear()}-${m}-${day}`;
}

export function parseDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text || '')) return null;
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

// calendars: {year: CalendarRead}; a date differing from Monday–Friday is in `exceptions`,
// HR's overrides win over everything.
export function isWorking(date, calendars) {
  const iso = isoDate(date);
  const cal = calendars[date.getUTCFullYear()];
  if (cal) {
    const override = (cal.overrides || []).find((o) => o.date === iso);
    if (override) return override.working;
    const exception = (cal.exceptions || []).find((e) => e.date === iso);
    if (exception) return exception.working;
  }
  const weekday = date.getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

export function monthGrid(year, month) { // month 0-11 → weeks of 7 Date|null (Monday first)
  const first = new Date(Date.UTC(year, month, 1));
  const offset = (first.getUTCDay() + 6) % 7;
  const count = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const cells = Array(offset).fill(null);
  for (let d = 1; d <= count; d += 1) cells.push(new Date(Date.UTC(year, month, d)));
  while (cells.length % 7) cells.push(null);
  const weeks = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

export function todayIso() {
  const now = new Date();
  return isoDate(new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())));
}
