// Performance: the rulebook (规章), incidents in the caller's scope, and an employee's
// scorecard for a period with the unit's points chart (performance's SVG, shown as an image
// from a blob: it is a picture, nothing in it is clickable). The incidents page also lists
// what awaits the reader's decision (incidentpage.js); each incident links to its own page.

import { can, get, query, roleOrgs } from '../api.js';
import { clear, facts, field, h, section, table, title } from '../dom.js';
import { lang, t } from '../i18n.js';
import { errorBox, person, showError, statusBadge } from './common.js';
import { awaiting } from './incidentpage.js';
import { ruleTools } from './ruleforms.js';

export async function rules(view) {
  const found = await get('/performance/rules?per_page=200');
  const books = [...new Set(found.items.map((r) => r.rulebook))].sort();
  const pick = h('select', {}, h('option', { value: '' }, t('rules.allBooks')),
    books.map((b) => h('option', { value: b }, b)));
  const box = h('div', {});
  const draw = () => {
    const shown = found.items.filter((r) => !pick.value || r.rulebook === pick.value);
    clear(box, h('p', { class: 'hint' }, t('rules.total', { n: shown.length })),
      table(null, [t('rules.book'), t('col.code'), t('rules.category'), t('rules.title'),
        t('rules.points'), t('rules.range'), t('rules.consequence')],
      shown.map((r) => [r.rulebook, r.code, r.category, lang() === 'en' ? r.title_en : r.title_zh,
        r.points ?? '—',
        r.deduction_min !== null && r.deduction_min !== undefined ? `${r.deduction_min}–${r.deduction_max}` : '—',
        r.consequence ? t(`consequence.${r.consequence}`, {}, r.consequence) : '—'])));
  };
  pick.addEventListener('change', draw);
  draw();
  clear(view, title(t('nav.rules')), h('div', { class: 'card' }, field('rulebook', t('rules.book'), pick), box),
    ruleTools(found.items, () => rules(view)));
}

function defaultUnit() {
  const orgs = roleOrgs('performance:read');
  return orgs.includes('*') || !orgs.length ? 'HQ' : orgs[0];
}

export async function incidents(view) {
  const year = String(new Date().getFullYear());
  const found = await get(`/performance/incidents${query({ per_page: 100 })}`);
  const card = h('div', {});
  const employee = h('input', { spellcheck: 'false', required: true });
  const period = h('input', { value: year, required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'row' }, field('score-employee', t('col.employeeNo'), employee),
      field('score-period', t('score.period'), period, t('score.periodHint'))),
    error, h('button', { type: 'submit', class: 'primary' }, t('score.show')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const s = await get(`/performance/scorecards/${encodeURIComponent(employee.value.trim())}${query({ period: period.value.trim() })}`);
      clear(card, scorecard(s));
    } catch (err) { showError(error, err); }
  });
  const unit = defaultUnit();
  const chart = h('div', {});
  await get(`/performance/units/${encodeURIComponent(unit)}/chart.svg${query({ period: year })}`, { as: 'blob' })
    .then((blob) => clear(chart, h('img', { class: 'plot', src: URL.createObjectURL(blob),
      alt: t('score.chartAlt', { unit, period: year }) })))
    .catch((err) => clear(chart, errorBox(err)));
  const todo = await awaiting().catch(errorBox);
  clear(view, title(t('nav.incidents')),
    can('performance:record') ? h('p', {}, h('a', { href: '#/record-incident', class: 'button' },
      t('incident.form.title'))) : null,
    todo,
    section(t('score.title'), form, card),
    section(t('score.chart', { unit, period: year }), chart),
    section(t('incidents.list', { n: found.total }), incidentTable(found.items)));
}

function incidentTable(items) {
  if (!items.length) return h('p', { class: 'hint' }, t('none'));
  return table(null, [t('col.id'), t('col.employee'), t('incidents.rule'), t('incidents.occurred'),
    t('rules.points'), t('incidents.amount'), t('col.status')],
  items.map((i) => [h('a', { href: `#/incident/${i.id}` }, `#${i.id}`), i.employee_name ? `${i.employee_name} (${i.employee_no})` : person(i.employee_no),
    i.rule, i.occurred_on, i.points ?? '—', i.deduction_amount ?? '—', statusBadge(i.status)]));
}

function scorecard(s) {
  return h('div', {}, facts([
    [t('col.employee'), person(s.employee_no)], [t('score.period'), `${s.period} (${s.starts_on} – ${s.ends_on})`],
    [t('score.points'), s.points_deducted], [t('score.bonus'), s.bonus_deducted],
    [t('score.excellence'), s.excellence_eligible ? t('yes') : t('no')],
    [t('score.disqualified'), s.disqualified ? t('yes') : t('no')],
  ]), h('h3', {}, t('score.incidents')), incidentTable(s.incidents || []));
}
