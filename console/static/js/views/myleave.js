// 我的请假 — everyone: my requests (a month calendar and a list), my balance, and a new
// request with the live working-day count and the route it will take.

import { claims, get, post, query } from '../api.js';
import { clear, field, h, section, table, title } from '../dom.js';
import { countDays, isoDate, isWorking, monthGrid, parseDate, routeOf, todayIso, yearsOf }
  from '../days.js';
import { lang, say, t, typeName } from '../i18n.js';
import { currentStep, showError, statusBadge } from './common.js';

const calendars = {}; // year → GET /leave/calendar answer, fetched once per page load

async function calendarsFor(years) {
  await Promise.all(years.filter((y) => !(y in calendars)).map(async (y) => {
    calendars[y] = await get(`/leave/calendar${query({ year: y })}`);
  }));
  return calendars;
}

export async function render(view) {
  const emp = claims().emp;
  if (!emp) {
    clear(view, title(t('mine.title')), h('p', {}, t('mine.noEmployee')));
    return;
  }
  const year = new Date().getFullYear();
  const [mine, balance, types, chain, policy] = await Promise.all([
    get(`/leave/requests${query({ mine: true, per_page: 200 })}`),
    get(`/leave/balances/${encodeURIComponent(emp)}${query({ year })}`),
    get('/leave/types?per_page=200'),
    get(`/staff/employees/${encodeURIComponent(emp)}/chain`).catch(() => null),
    get('/leave/policy').catch(() => null),
  ]);
  const own = mine.items.filter((r) => r.employee_no === emp);
  // 顶岗: requests that name me as the stand-in (pending or approved), so I know when.
  const covering = mine.items.filter((r) => r.employee_no !== emp && r.stand_in === emp
    && ['pending', 'approved'].includes(r.status));
  await calendarsFor([year]);
  const shown = { year, month: new Date().getMonth() };
  const calendarBox = h('div', {});
  const drawCalendar = () => clear(calendarBox, monthView(own, shown, drawCalendar));
  drawCalendar();
  clear(view,
    title(t('mine.title')),
    h('div', { class: 'grid two' },
      section(t('mine.new'), requestForm(types.items, chain, policy)),
      section(t('mine.calendar'), calendarBox)),
    section(t('mine.balance', { year }), balanceTable(balance, types.items)),
    section(t('mine.requests'), requestTable(own, types.items)),
    covering.length ? section(t('mine.covering'), requestTable(covering, types.items)) : null);
}

function balanceTable(balance, types) {
  return table(null, [t('col.type'), t('col.entitled'), t('col.used'), t('col.pending'),
    t('col.remaining')], balance.balances.map((b) => [typeName(types, b.type), b.entitled,
    b.used, b.pending, h('strong', {}, b.remaining)]));
}

export function requestTable(requests, types) {
  if (!requests.length) return h('p', { class: 'hint' }, t('none'));
  return table(null, [t('col.id'), t('col.type'), t('col.dates'), t('col.days'), t('col.status'),
    t('col.step')], requests.map((r) => [
    h('a', { href: `#/requests/${r.id}` }, `#${r.id}`), typeName(types, r.type),
    `${r.start_date} – ${r.end_date}`, r.days, statusBadge(r.status), currentStep(r)]));
}

function monthView(requests, shown, redraw) {
  const move = (delta) => async () => {
    const d = new Date(Date.UTC(shown.year, shown.month + delta, 1));
    shown.year = d.getUTCFullYear();
    shown.month = d.getUTCMonth();
    await calendarsFor([shown.year]).catch(() => null);
    redraw();
    document.getElementById('month-prev')?.focus();
  };
  const label = new Date(Date.UTC(shown.year, shown.month, 1)).toLocaleDateString(
    lang() === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: 'long', timeZone: 'UTC' });
  const away = (d) => {
    const iso = isoDate(d);
    return requests.find((r) => ['approved', 'pending'].includes(r.status)
      && r.start_date <= iso && iso <= r.end_date);
  };
  const weekdays = t('weekdays').split(',');
  return h('div', {},
    h('div', { class: 'month-nav' },
      h('button', { type: 'button', id: 'month-prev', on: { click: move(-1) } },
        h('span', { 'aria-hidden': 'true' }, '‹ '), t('month.prev')),
      h('strong', { id: 'month-label' }, label),
      h('button', { type: 'button', on: { click: move(1) } }, t('month.next'),
        h('span', { 'aria-hidden': 'true' }, ' ›'))),
    h('table', { class: 'month', 'aria-labelledby': 'month-label' },
      h('thead', {}, h('tr', {}, weekdays.map((w) => h('th', { scope: 'col' }, w)))),
      h('tbody', {}, monthGrid(shown.year, shown.month).map((week) => h('tr', {},
        week.map((d) => {
          if (!d) return h('td', { class: 'other' });
          const hit = away(d);
          const off = !isWorking(d, calendars);
          const cls = [off ? 'off' : '', hit ? `away-${hit.status}` : ''].join(' ').trim();
          return h('td', { class: cls || null },
            String(d.getUTCDate()),
            hit ? h('span', { class: 'skip' }, ` ${t(`status.${hit.status}`)} #${hit.id}`) : null);
        }))))),
    h('p', { class: 'legend' }, h('span', { class: 'l-approved' }, t('status.approved')),
      h('span', { class: 'l-pending' }, t('status.pending')),
      h('span', { class: 'l-off' }, t('month.off'))));
}

function requestForm(types, chain, policy) {
  const active = types.filter((ty) => ty.active);
  const type = h('select', {}, active.map((ty) => h('option', { value: ty.code }, typeName(types, ty.code))));
  const start = h('input', { type: 'date', required: true, min: todayIso() });
  const end = h('input', { type: 'date', required: true, min: todayIso() });
  const startHalf = h('select', {}, h('option', { value: '' }, t('form.fullDay')),
    h('option', { value: 'pm' }, t('form.startPm')));
  const endHalf = h('select', {}, h('option', { value: '' }, t('form.fullDay')),
    h('option', { value: 'am' }, t('form.endAm')));
  const reason = h('textarea', { required: true, maxlength: '1000' });
  const standIn = h('input', { autocomplete: 'off', spellcheck: 'false',
    required: Boolean(chain && chain.must_cover) });
  const quote = h('output', { class: 'quote', id: 'quote', 'aria-live': 'polite' },
    t('form.pick'));
  const error = h('p', { class: 'error', role: 'alert', id: 'form-error' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('form.submit'));
  let idempotencyKey = crypto.randomUUID();

  let asked = 0;
  const refresh = async () => {
    const mine = ++asked; // only the latest answer is shown (a calendar may still load)
    const ty = active.find((x) => x.code === type.value);
    const years = yearsOf(start.value, end.value);
    if (!ty || !years.length) { quote.value = t('form.pick'); return; }
    await calendarsFor(years).catch(() => null);
    if (mine !== asked) return;
    const days = countDays({ start: start.value, end: end.value, startHalf: startHalf.value,
      endHalf: endHalf.value, counts: ty.counts }, calendars);
    const route = routeOf(days, chain, policy);
    const unit = ty.counts === 'calendar_days' ? t('form.calendarDays') : t('form.workingDays');
    quote.value = t('form.quote', { count: t('form.count', { days, unit }), route: t(`route.${route.kind}`) });
    quote.dataset.days = String(days);
    quote.dataset.route = route.kind;
  };
  for (const el of [type, start, end, startHalf, endHalf]) {
    el.addEventListener('input', refresh);
    el.addEventListener('change', refresh);
  }
  start.addEventListener('change', () => { if (!end.value || end.value < start.value) end.value = start.value; refresh(); });

  const form = h('form', { novalidate: true, id: 'leave-form' },
    field('leave-type', t('form.type'), type),
    h('div', { class: 'row' },
      field('leave-start', t('form.start'), start), field('leave-end', t('form.end'), end)),
    h('div', { class: 'row' },
      field('leave-start-half', t('form.startHalf'), startHalf),
      field('leave-end-half', t('form.endHalf'), endHalf)),
    field('leave-reason', t('form.reason'), reason),
    field('leave-stand-in', t('form.standIn'), standIn,
      chain && chain.must_cover ? t('form.standInRequired') : t('form.standInOptional')),
    quote, h('p', { class: 'hint' }, t('form.serverDecides')), error, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!parseDate(start.value) || !parseDate(end.value) || !reason.value.trim()) {
      error.textContent = t('form.incomplete');
      return;
    }
    submit.disabled = true;
    try {
      const body = { type: type.value, start_date: start.value, end_date: end.value,
        reason: reason.value.trim() };
      if (startHalf.value) body.start_half = startHalf.value;
      if (endHalf.value) body.end_half = endHalf.value;
      if (standIn.value.trim()) body.stand_in = standIn.value.trim();
      const made = await post('/leave/requests', body, { headers: { 'Idempotency-Key': idempotencyKey } });
      idempotencyKey = crypto.randomUUID();
      say(t('form.filed', { id: made.id, days: made.days }));
      window.location.hash = `#/requests/${made.id}`;
    } catch (err) {
      showError(error, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

