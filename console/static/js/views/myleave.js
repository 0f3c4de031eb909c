// 我的请假 — everyone: my requests (a month calendar and a list), my balance, and a new
// request with the server's count and route while it is filled in (POST
// /leave/requests/preview: filing's own code, nothing written) and its stand-in chosen from
// the colleagues GET /leave/stand-ins offers.

import { claims, get, post, query } from '../api.js';
import { clear, field, h, section, table, title } from '../dom.js';
import { isoDate, isWorking, monthGrid, parseDate, todayIso } from '../days.js';
import { addStrings, lang, say, t, typeName } from '../i18n.js';
import { currentStep, roleName, showError, statusBadge } from './common.js';

addStrings({
  zh: {
    'quote.asking': '正在计算天数与审批路径…', 'quote.provisional': '暂定日历：该年节假日尚未公布，按周一至周五及人力资源调整计算。',
    'quote.linked': '与 {list} 相连，合并按 {days} 天确定审批路径（防拆分）。',
    'quote.skipped': '{step}：已跳过（申请人本人担任该职务）', 'quote.unassigned': '{step}：暂无人担任，由管辖行人力资源部处理',
    'quote.balance': '{year} 年余额：{before} → {after} 天', 'quote.overlap': '与已有申请 {list} 重叠，无法提交。',
    'quote.standIn': '顶岗人不符合要求：{problem}', 'quote.short': '余额不足，无法提交。',
    'quote.review': '{who}初审', 'quote.final': '{who}终审', 'quote.only': '{who}审批（终审）',
    'who.branch_head': '支行行长', 'who.outlet_head': '网点负责人', 'who.branch_hr': '分行人力资源部',
    'who.hq_hr': '总行人力资源部', 'who.hr': '人力资源部', 'who.admin': '系统管理员',
    'standIn.label': '顶岗人', 'standIn.none': '不指定', 'standIn.choose': '请选择顶岗人',
    'standIn.pickDates': '选择日期后列出本机构同事。',
    'standIn.not_active': '非在职', 'standIn.on_leave': '休假中', 'standIn.leave_pending': '请假审批中',
    'standIn.unavailable': '不能顶岗',
  },
  en: {
    'quote.asking': 'Counting the days and the route…', 'quote.provisional': 'Provisional calendar: this year\'s holidays are not published yet; Monday to Friday and HR\'s overrides count.',
    'quote.linked': 'Joins {list}: routed on {days} days together (anti-splitting).',
    'quote.skipped': '{step}: skipped (the requester holds that role)', 'quote.unassigned': '{step}: nobody holds it; the governing branch\'s HR handles it',
    'quote.balance': '{year} balance: {before} → {after} days', 'quote.overlap': 'Overlaps your request {list}: it cannot be filed.',
    'quote.standIn': 'Stand-in not accepted: {problem}', 'quote.short': 'The balance does not hold it: it cannot be filed.',
    'quote.review': '{who} review', 'quote.final': '{who}', 'quote.only': '{who}, final',
    'who.branch_head': 'branch head', 'who.outlet_head': 'outlet head', 'who.branch_hr': 'branch HR',
    'who.hq_hr': 'head-office HR', 'who.hr': 'HR', 'who.admin': 'administrator',
    'standIn.label': 'Stand-in', 'standIn.none': 'None', 'standIn.choose': 'Choose a stand-in',
    'standIn.pickDates': 'Pick the dates to list your unit\'s colleagues.',
    'standIn.not_active': 'not active', 'standIn.on_leave': 'on leave', 'standIn.leave_pending': 'leave pending',
    'standIn.unavailable': 'unavailable',
  },
});

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
  const [mine, balance, types] = await Promise.all([
    get(`/leave/requests${query({ mine: true, per_page: 200 })}`),
    get(`/leave/balances/${encodeURIComponent(emp)}${query({ year })}`),
    get('/leave/types?per_page=200'),
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
      section(t('mine.new'), requestForm(types.items)),
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

// Who decides a step, in words: the role, told by the kind of unit it is held over.
function who(step) {
  if (step.role === 'branch_head') return t(step.org_type === 'outlet' ? 'who.outlet_head' : 'who.branch_head');
  if (step.role === 'hr') {
    if (step.org_type === 'branch') return t('who.branch_hr');
    return t(step.org_type === 'head_office' ? 'who.hq_hr' : 'who.hr');
  }
  if (step.role === 'admin') return t('who.admin');
  return `${roleName(step.role)} @${step.org}`;
}

// "支行行长初审 → 分行人力资源部终审" — the steps that will decide, in order.
export function routeText(steps) {
  const active = steps.filter((s) => s.status !== 'skipped');
  if (active.length === 1) return t('quote.only', { who: who(active[0]) });
  return active.map((s) => t(s.final ? 'quote.final' : 'quote.review', { who: who(s) })).join(' → ');
}

function quoteNotes(p) {
  const ids = (list) => list.map((id) => `#${id}`).join(', ');
  const notes = [t(p.calendar === 'provisional' ? 'quote.provisional' : 'calendar.official')];
  if (p.related.length) notes.push(t('quote.linked', { list: ids(p.related_requests), days: p.routed_days }));
  for (const s of p.steps) {
    if (s.status === 'skipped') notes.push(t('quote.skipped', { step: who(s) }));
    else if (s.unassigned) notes.push(t('quote.unassigned', { step: who(s) }));
  }
  for (const b of p.balance || []) {
    notes.push(t('quote.balance', { year: b.year, before: b.remaining_before, after: b.remaining_after }));
  }
  if (p.overlapping.length) notes.push(t('quote.overlap', { list: ids(p.overlapping) }));
  if (p.stand_in.problem && p.stand_in.given) notes.push(t('quote.standIn', { problem: p.stand_in.problem }));
  if (p.warnings.some((w) => w.code === 'balance')) notes.push(t('quote.short'));
  return notes;
}

function requestForm(types) {
  const active = types.filter((ty) => ty.active);
  const type = h('select', {}, active.map((ty) => h('option', { value: ty.code }, typeName(types, ty.code))));
  // The earliest first day the chosen type allows: today, or its max_days_back before today
  // (sick and bereavement leave are filed after the fact); leave checks it again.
  const earliest = () => {
    const day = parseDate(todayIso());
    day.setUTCDate(day.getUTCDate() - ((types.find((ty) => ty.code === type.value) || {}).max_days_back || 0));
    return isoDate(day);
  };
  const start = h('input', { type: 'date', required: true, min: earliest() });
  const end = h('input', { type: 'date', required: true, min: earliest() });
  type.addEventListener('change', () => { start.min = earliest(); end.min = start.min; });
  const startHalf = h('select', {}, h('option', { value: '' }, t('form.fullDay')),
    h('option', { value: 'pm' }, t('form.startPm')));
  const endHalf = h('select', {}, h('option', { value: '' }, t('form.fullDay')),
    h('option', { value: 'am' }, t('form.endAm')));
  const reason = h('textarea', { required: true, maxlength: '1000' });
  const standIn = h('select', {}, h('option', { value: '' }, t('standIn.none')));
  const standInHint = h('span', {}, t('standIn.pickDates'));
  const quote = h('output', { class: 'quote', id: 'quote', 'aria-live': 'polite' },
    t('form.pick'));
  const notes = h('ul', { class: 'hint', id: 'quote-notes' });
  const error = h('p', { class: 'error', role: 'alert', id: 'form-error' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('form.submit'));
  let idempotencyKey = crypto.randomUUID();

  const body = () => {
    const out = { type: type.value, start_date: start.value, end_date: end.value };
    if (startHalf.value) out.start_half = startHalf.value;
    if (endHalf.value) out.end_half = endHalf.value;
    if (standIn.value) out.stand_in = standIn.value;
    return out;
  };

  // The colleagues for these dates (asked again only when the dates change).
  let listedFor = '';
  const fillStandIns = (answer) => {
    const kept = standIn.value;
    clear(standIn, h('option', { value: '' }, t(answer.must_cover ? 'standIn.choose' : 'standIn.none')),
      answer.items.map((c) => h('option', { value: c.employee_no, disabled: c.available ? null : true },
        `${c.name} (${c.employee_no})${c.available ? '' : ` — ${t(`standIn.${c.reason || 'unavailable'}`)}`}`)));
    const still = answer.items.find((c) => c.employee_no === kept && c.available);
    standIn.value = still ? kept : '';
    standIn.required = answer.must_cover;
    standInHint.textContent = answer.must_cover ? t('form.standInRequired') : t('form.standInOptional');
  };

  // Asked of the server, debounced; a change meanwhile cancels the question in flight.
  let timer = null;
  let inflight = null;
  const ask = async () => {
    const control = new AbortController();
    inflight = control;
    const opts = { signal: control.signal };
    try {
      const span = query({ start_date: start.value, end_date: end.value,
        start_half: startHalf.value, end_half: endHalf.value });
      if (span !== listedFor) {
        fillStandIns(await get(`/leave/stand-ins${span}`, opts));
        listedFor = span;
      }
      const p = await post('/leave/requests/preview', body(), opts);
      if (control.signal.aborted) return;
      const unit = p.counts === 'calendar_days' ? t('form.calendarDays') : t('form.workingDays');
      const route = routeText(p.steps);
      quote.value = t('form.quote', { count: t('form.count', { days: p.days, unit }), route });
      quote.dataset.days = String(p.days);
      quote.dataset.calendar = p.calendar;
      clear(notes, quoteNotes(p).map((n) => h('li', {}, n)));
    } catch (err) {
      if (control.signal.aborted || (err && err.name === 'AbortError')) return;
      quote.value = '';
      clear(notes);
      showError(quote, err);
    } finally {
      if (inflight === control) inflight = null;
    }
  };
  const refresh = () => {
    clearTimeout(timer);
    if (inflight) inflight.abort();
    inflight = null;
    delete quote.dataset.days;
    if (!type.value || !parseDate(start.value) || !parseDate(end.value) || end.value < start.value) {
      quote.value = t('form.pick');
      clear(notes);
      return;
    }
    quote.value = t('quote.asking');
    timer = setTimeout(ask, 300);
  };
  for (const el of [type, start, end, startHalf, endHalf, standIn]) el.addEventListener('change', refresh);
  for (const el of [start, end]) el.addEventListener('input', refresh);
  start.addEventListener('change', () => { if (!end.value || end.value < start.value) end.value = start.value; refresh(); });

  const form = h('form', { novalidate: true, id: 'leave-form' },
    field('leave-type', t('form.type'), type),
    h('div', { class: 'row' },
      field('leave-start', t('form.start'), start), field('leave-end', t('form.end'), end)),
    h('div', { class: 'row' },
      field('leave-start-half', t('form.startHalf'), startHalf),
      field('leave-end-half', t('form.endHalf'), endHalf)),
    field('leave-reason', t('form.reason'), reason),
    field('leave-stand-in', t('standIn.label'), standIn, standInHint),
    quote, notes, error, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!parseDate(start.value) || !parseDate(end.value) || !reason.value.trim()) {
      error.textContent = t('form.incomplete');
      return;
    }
    submit.disabled = true;
    try {
      const made = await post('/leave/requests', { ...body(), reason: reason.value.trim() },
        { headers: { 'Idempotency-Key': idempotencyKey } });
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
