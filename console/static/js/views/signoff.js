// 审核 — the branch head signs off a unit's period (POST /performance/units/{code}/sign-offs):
// from then on the period is frozen for the unit's subtree, and no incident that occurred in
// it can be confirmed (performance answers 409, shown where the reviewer tried). The page lists
// the unit's signed-off periods, each marked frozen.

import { get, post, query, roleOrgs } from '../api.js';
import { badge, clear, h, section, table, title } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { person, when } from './common.js';
import { checked, formError, onSubmit, showProblem } from './formkit.js';

addStrings({
  zh: {
    'signoff.title': '考核审核（签署期间）', 'signoff.unit': '机构代码', 'signoff.period': '期间',
    'signoff.periodHint': 'YYYY、YYYY-Qn 或 YYYY-MM；签署后该期间冻结，不能再确认其中的违规。',
    'signoff.comment': '审核意见（可选）', 'signoff.submit': '签署审核', 'signoff.show': '查看已签署',
    'signoff.done': '{unit} {period} 已签署审核，期间已冻结。', 'signoff.list': '{unit} 已签署的期间（{n}）',
    'signoff.range': '起止', 'signoff.by': '签署人', 'signoff.at': '签署时间', 'signoff.frozen': '已冻结',
  },
  en: {
    'signoff.title': 'Sign off a period', 'signoff.unit': 'Unit code', 'signoff.period': 'Period',
    'signoff.periodHint': 'YYYY, YYYY-Qn or YYYY-MM; once signed off the period is frozen: nothing in it can be confirmed.',
    'signoff.comment': 'Comment (optional)', 'signoff.submit': 'Sign off', 'signoff.show': 'Show signed-off periods',
    'signoff.done': '{unit} {period} signed off: the period is frozen.', 'signoff.list': "{unit}'s signed-off periods ({n})",
    'signoff.range': 'From – to', 'signoff.by': 'Signed by', 'signoff.at': 'Signed at', 'signoff.frozen': 'frozen',
  },
});

const ts = (key, vars) => t(`signoff.${key}`, vars);

function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

async function listing(code) {
  const found = await get(`/performance/units/${encodeURIComponent(code)}/sign-offs${query({ per_page: 50 })}`);
  return section(ts('list', { unit: code, n: found.total }), found.items.length
    ? table(null, [ts('period'), ts('range'), ts('by'), ts('at'), ts('comment'), t('col.status')],
      found.items.map((s) => [s.period, `${s.starts_on} – ${s.ends_on}`,
        s.signed_by_emp ? person(s.signed_by_emp) : s.signed_by, when(s.signed_at), s.comment || '',
        badge('frozen', ts('frozen'))]))
    : h('p', { class: 'hint' }, t('none')));
}

export async function render(view, [unitCode] = []) {
  const orgs = roleOrgs('performance:sign-off').filter((o) => o !== '*');
  const code = unitCode || orgs[0] || 'HQ';
  const unit = h('input', { value: code, spellcheck: 'false', autocomplete: 'off', required: true });
  const period = h('input', { value: lastMonth(), spellcheck: 'false', required: true });
  const comment = h('textarea', { rows: '2', maxlength: '4000' });
  const list = h('div', { id: 'signoff-list' });
  const form = h('form', { novalidate: true, class: 'card', id: 'signoff-form' },
    h('div', { class: 'row' }, checked('signoff-unit', 'unit', ts('unit'), unit),
      checked('signoff-period', 'period', ts('period'), period, ts('periodHint'))),
    checked('signoff-comment', 'comment', ts('comment'), comment), formError(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, ts('submit')),
      h('button', { type: 'button', on: { click: () => listing(unit.value.trim())
        .then((s) => clear(list, s)).catch((err) => showProblem(form, err)) } }, ts('show'))));
  onSubmit(form, async () => {
    const target = unit.value.trim();
    const body = { period: period.value.trim() };
    if (comment.value.trim()) body.comment = comment.value.trim();
    const signed = await post(`/performance/units/${encodeURIComponent(target)}/sign-offs`, body);
    comment.value = '';
    clear(list, await listing(target));
    say(ts('done', { unit: signed.unit, period: signed.period }));
  });
  clear(view, title(ts('title')), form, list);
  await listing(code).then((s) => clear(list, s)).catch(() => clear(list));
}
