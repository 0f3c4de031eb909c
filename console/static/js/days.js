// Counting a request's days and naming the route it will take, live, while the form is
// filled in. Leave has no preview endpoint, so this reads the same data the server uses —
// the year's calendar (GET /leave/calendar: holidays, make-up days 调休, HR's overrides),
// the leave type (working or calendar days), the requester's chain from staff (grade, 网点,
// governing branch) and the routing policy (GET /leave/policy) — and applies the default
// route. The server's count and steps are final (it also adds adjoining requests and any
// ordered rules); the form says so.

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

export function* eachDay(start, end) {
  for (let d = new Date(start); d <= end; d = new Date(d.getTime() + 86400000)) yield d;
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

// Days the request counts: working days (or calendar days for types that say so), half a
// day off the first when it starts at noon and off the last when it ends at noon.
export function countDays({ start, end, startHalf, endHalf, counts }, calendars) {
  const from = parseDate(start);
  const to = parseDate(end);
  if (!from || !to || to < from) return null;
  const counted = (d) => counts === 'calendar_days' || isWorking(d, calendars);
  let days = 0;
  for (const d of eachDay(from, to)) if (counted(d)) days += 1;
  if (startHalf === 'pm' && counted(from)) days -= 0.5;
  if (endHalf === 'am' && counted(to)) days -= 0.5;
  return Math.max(0, days);
}

export function yearsOf(start, end) {
  const from = parseDate(start);
  const to = parseDate(end);
  if (!from || !to || to < from) return [];
  const years = [];
  for (let y = from.getUTCFullYear(); y <= to.getUTCFullYear(); y += 1) years.push(y);
  return years;
}

// The default route (policy data): a staff or mid-level requester in a 网点 goes to its
// branch head, final up to the threshold (5 days, included); above it the branch head's
// preliminary review (初审), then hr of the governing branch. Grade head and people with no
// 网点 above: hr of the governing branch, final.
// → {kind: 'head_final' | 'head_then_hr' | 'hr_final', outlet, branch}
export function routeOf(days, chain, policy) {
  const routing = (policy && policy.document && policy.document.routing) || {};
  const threshold = Number(routing.threshold_days ?? 5);
  const grades = (routing.outlet && routing.outlet.grades) || ['staff', 'mid'];
  const outlet = chain && chain.outlet;
  const branch = chain && chain.governing_branch;
  if (!outlet || !grades.includes(chain.grade)) return { kind: 'hr_final', outlet, branch };
  return { kind: days <= threshold ? 'head_final' : 'head_then_hr', outlet, branch, threshold };
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
