// 团队日历 — approvers: who is away on each day of a month in the units they oversee, and
// who stands in for them (不得空岗). Reads GET /leave/requests in the caller's own scope.

import { get, query } from '../api.js';
import { clear, h, table, title } from '../dom.js';
import { isoDate, isWorking } from '../days.js';
import { lang, t, typeName } from '../i18n.js';
import { person, statusBadge } from './common.js';

const SHOWN = ['approved', 'pending'];

export async function render(view, params, shown = null) {
  const now = new Date();
  const month = shown || { year: now.getFullYear(), month: now.getMonth() };
  const first = new Date(Date.UTC(month.year, month.month, 1));
  const last = new Date(Date.UTC(month.year, month.month + 1, 0));
  const [found, types, calendar] = await Promise.all([
    get(`/leave/requests${query({ from_date: isoDate(first), to_date: isoDate(last), per_page: 200 })}`),
    get('/leave/types?per_page=200'),
    get(`/leave/calendar${query({ year: month.year })}`).catch(() => null),
  ]);
  const requests = found.items.filter((r) => SHOWN.includes(r.status));
  const calendars = calendar ? { [month.year]: calendar } : {};
  const rows = [];
  for (let d = first; d <= last; d = new Date(d.getTime() + 86400000)) {
    const iso = isoDate(d);
    const away = requests.filter((r) => r.start_date <= iso && iso <= r.end_date);
    if (!away.length) continue;
    const day = d.toLocaleDateString(lang() === 'en' ? 'en-GB' : 'zh-CN',
      { month: 'short', day: 'numeric', weekday: 'short', timeZone: 'UTC' });
    rows.push([
      isWorking(d, calendars) ? day : h('span', { class: 'hint' }, `${day} (${t('month.off')})`),
      h('ul', {}, away.map((r) => h('li', {}, person(r.employee_no), ` · ${typeName(types.items, r.type)} `,
        statusBadge(r.status), ' ', h('a', { href: `#/requests/${r.id}` }, `#${r.id}`)))),
      h('ul', {}, away.map((r) => h('li', {}, r.stand_in ? person(r.stand_in) : '—'))),
    ]);
  }
  const go = (delta) => () => {
    const d = new Date(Date.UTC(month.year, month.month + delta, 1));
    render(view, params, { year: d.getUTCFullYear(), month: d.getUTCMonth() })
      .then(() => document.getElementById('team-prev')?.focus());
  };
  const label = first.toLocaleDateString(lang() === 'en' ? 'en-GB' : 'zh-CN',
    { year: 'numeric', month: 'long', timeZone: 'UTC' });
  clear(view, title(t('team.title')),
    h('div', { class: 'month-nav card' },
      h('button', { type: 'button', id: 'team-prev', on: { click: go(-1) } }, `‹ ${t('month.prev')}`),
      h('strong', { id: 'team-month', 'data-month': isoDate(first).slice(0, 7) }, label),
      h('button', { type: 'button', on: { click: go(1) } }, `${t('month.next')} ›`)),
    h('p', { class: 'hint' }, t('team.count', { n: new Set(requests.map((r) => r.employee_no)).size })),
    rows.length ? h('div', { class: 'card' },
      table(t('team.caption', { month: label }), [t('col.day'), t('team.away'), t('col.standIn')], rows))
      : h('p', { class: 'card' }, t('team.nobody')));
}
