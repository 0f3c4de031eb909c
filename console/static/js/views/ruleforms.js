// The rulebook's and the performance policy's editing forms, on the rulebooks page
// (#/rules): a rule's next version (POST /performance/rules/{code}/versions, with the reason
// performance audits), its version history (GET .../versions), a new rule in a rulebook
// (POST /performance/rulebooks/{rulebook}/rules) and the policy (GET/PUT /performance/policy).
// Offered only to a holder of performance:policy over the whole bank — the token says so;
// performance decides for real and its refusal is shown. Every change is a new version:
// incidents keep the version they were judged under, so nothing here rewrites history.
// Also, on an employee's page, the cancel form of a change staff has scheduled
// (POST /staff/scheduled-changes/{id}/cancel, its reason audited), for staff:write over the unit.

import { api, get, post } from '../api.js';
import { h, table } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { checked, formError, onSubmit } from './formkit.js';
import { writesOver } from './orgforms.js';

addStrings({
  zh: {
    'rf.edit': '修改规则（生成新版本）', 'rf.rule': '规则', 'rf.points': '扣分', 'rf.min': '扣款下限（元）',
    'rf.max': '扣款上限（元）', 'rf.consequence': '后果（可空）', 'rf.severities': '可选情节（逗号分隔）',
    'rf.titleZh': '中文名称', 'rf.titleEn': '英文名称', 'rf.reason': '修改理由', 'rf.save': '发布新版本',
    'rf.saved': '{code} 已发布第 {version} 版。', 'rf.history': '查看版本历史', 'rf.version': '版本',
    'rf.by': '发布人', 'rf.at': '发布时间', 'rf.add': '在规则簿中新增规则', 'rf.book': '规则簿',
    'rf.code': '规则代码', 'rf.category': '类别', 'rf.source': '出处', 'rf.create': '新增规则',
    'rf.created': '已新增 {code}。', 'rf.policy': '考核政策', 'rf.cap': '{role} 权限上限（元）',
    'rf.confirmers': '超限确认角色（逗号分隔）', 'rf.window': '申诉期限（天）',
    'rf.deciders': '申诉裁决角色（逗号分隔）', 'rf.policySave': '保存政策',
    'rf.policyVersion': '现行政策第 {version} 版。', 'rf.policySaved': '政策已保存为第 {version} 版。',
    'rf.cancelReason': '撤销理由', 'rf.cancel': '撤销此排期', 'rf.cancelled': '已撤销 {date} 的排期。',
  },
  en: {
    'rf.edit': 'Change a rule (a new version)', 'rf.rule': 'Rule', 'rf.points': 'Points',
    'rf.min': 'Lowest deduction (yuan)', 'rf.max': 'Highest deduction (yuan)',
    'rf.consequence': 'Consequence (may be empty)', 'rf.severities': 'Severities allowed (comma-separated)',
    'rf.titleZh': 'Chinese title', 'rf.titleEn': 'English title', 'rf.reason': 'Reason for the change',
    'rf.save': 'Publish the new version', 'rf.saved': '{code} is now at version {version}.',
    'rf.history': 'Show version history', 'rf.version': 'Version', 'rf.by': 'Published by',
    'rf.at': 'Published at', 'rf.add': 'Add a rule to a rulebook', 'rf.book': 'Rulebook',
    'rf.code': 'Rule code', 'rf.category': 'Category', 'rf.source': 'Source', 'rf.create': 'Add rule',
    'rf.created': 'Added {code}.', 'rf.policy': 'Performance policy', 'rf.cap': 'Authority cap of {role} (yuan)',
    'rf.confirmers': 'Who confirms above a cap (comma-separated roles)', 'rf.window': 'Appeal window (days)',
    'rf.deciders': 'Who decides appeals (comma-separated roles)', 'rf.policySave': 'Save policy',
    'rf.policyVersion': 'Policy version {version} is in force.', 'rf.policySaved': 'The policy is now version {version}.',
    'rf.cancelReason': 'Reason for cancelling', 'rf.cancel': 'Cancel this change', 'rf.cancelled': 'Cancelled the change of {date}.',
  },
});

const tf = (key, vars) => t(`rf.${key}`, vars);
const input = (value, attrs = {}) => h('input', { value: value ?? '', ...attrs });
const numberOrNull = (v) => (String(v).trim() === '' ? null : Number(v));
const list = (v) => String(v).split(',').map((s) => s.trim()).filter(Boolean);

// May the reader change rules and policy? Over "*" or the root unit (HQ); a hint only.
export function editsPolicy() {
  return writesOver('*', 'performance:policy') || writesOver('HQ', 'performance:policy');
}

// The rulebooks page's forms, or nothing for a reader without the permission.
export function ruleTools(rules, reload) {
  if (!editsPolicy()) return null;
  return h('div', {}, editRuleForm(rules, reload), addRuleForm(rules, reload), policyForm());
}

function editRuleForm(rules, reload) {
  const pick = h('select', {}, rules.map((r) => h('option', { value: r.code }, `${r.code} · ${r.title_zh}`)));
  const slots = h('div', {});
  const history = h('div', {});
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'rf-edit-title' },
    h('h2', { id: 'rf-edit-title' }, tf('edit')), checked('rf-rule', 'code', tf('rule'), pick), slots,
    formError(), h('button', { type: 'submit' }, tf('save')),
    h('button', { type: 'button', class: 'secondary', id: 'rf-history' }, tf('history')), history);
  const fill = () => {
    const r = rules.find((x) => x.code === pick.value);
    slots.replaceChildren(
      checked('rf-points', 'points', tf('points'), input(r.points, { type: 'number', min: 1 })),
      checked('rf-min', 'deduction_min', tf('min'), input(r.deduction_min, { type: 'number', step: '0.01', min: 0 })),
      checked('rf-max', 'deduction_max', tf('max'), input(r.deduction_max, { type: 'number', step: '0.01', min: 0 })),
      checked('rf-consequence', 'consequence', tf('consequence'), input(r.consequence)),
      checked('rf-severities', 'severities', tf('severities'), input((r.severities || []).join(', '))),
      checked('rf-title-zh', 'title_zh', tf('titleZh'), input(r.title_zh, { required: true })),
      checked('rf-title-en', 'title_en', tf('titleEn'), input(r.title_en, { required: true })),
      checked('rf-reason', 'reason', tf('reason'), input('', { required: true, maxlength: 500 })));
    history.replaceChildren();
  };
  pick.addEventListener('change', fill);
  fill();
  form.querySelector('#rf-history').addEventListener('click', async () => {
    const found = await get(`/performance/rules/${encodeURIComponent(pick.value)}/versions`);
    const items = found.items || found;
    history.replaceChildren(table(null, [tf('version'), tf('points'), tf('min'), tf('max'), tf('reason'), tf('by'), tf('at')],
      items.map((v) => [v.version ?? '', v.points ?? '—', v.deduction_min ?? '—', v.deduction_max ?? '—',
        v.change_reason || '—', v.published_by || '—', v.published_at || '—'])));
  });
  return onSubmit(form, async () => {
    const val = (name) => form.querySelector(`[name="${name}"]`).value;
    const body = {
      points: numberOrNull(val('points')), deduction_min: numberOrNull(val('deduction_min')),
      deduction_max: numberOrNull(val('deduction_max')), consequence: val('consequence').trim() || null,
      severities: list(val('severities')), title_zh: val('title_zh'), title_en: val('title_en'),
      reason: val('reason'),
    };
    const saved = await post(`/performance/rules/${encodeURIComponent(pick.value)}/versions`, body);
    await reload();
    say(tf('saved', { code: saved.code, version: saved.version ?? '' }));
  });
}

function addRuleForm(rules, reload) {
  const books = [...new Set(rules.map((r) => r.rulebook))].sort();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'rf-add-title' },
    h('h2', { id: 'rf-add-title' }, tf('add')),
    checked('rf-book', 'rulebook', tf('book'), h('select', {}, books.map((b) => h('option', { value: b }, b)))),
    checked('rf-code', 'code', tf('code'), input('', { required: true, pattern: '[A-Z][A-Z0-9-]{1,39}' })),
    checked('rf-category', 'category', tf('category'), input('', { required: true })),
    checked('rf-new-zh', 'title_zh', tf('titleZh'), input('', { required: true })),
    checked('rf-new-en', 'title_en', tf('titleEn'), input('', { required: true })),
    checked('rf-source', 'source', tf('source'), input('', { required: true })),
    checked('rf-new-points', 'points', tf('points'), input('', { type: 'number', min: 1 })),
    checked('rf-new-reason', 'reason', tf('reason'), input('', { required: true })),
    formError(), h('button', { type: 'submit' }, tf('create')));
  return onSubmit(form, async () => {
    const val = (name) => form.querySelector(`[name="${name}"]`).value;
    const body = { code: val('code'), category: val('category'), title_zh: val('title_zh'),
      title_en: val('title_en'), source: val('source'), points: numberOrNull(val('points')), reason: val('reason') };
    const made = await post(`/performance/rulebooks/${encodeURIComponent(val('rulebook'))}/rules`, body);
    await reload();
    say(tf('created', { code: made.code }));
  });
}

// The policy in force, editable: each role's cap, the confirmers, the appeal window and deciders.
function policyForm() {
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'rf-policy-title' }, h('h2', { id: 'rf-policy-title' }, tf('policy')));
  const status = h('p', { class: 'hint', id: 'rf-policy-version' });
  const body = h('div', {});
  form.append(status, body, formError(), h('button', { type: 'submit' }, tf('policySave')));
  let roles = [];
  const fill = (p) => {
    roles = Object.keys(p.authority_caps).sort();
    status.textContent = tf('policyVersion', { version: p.version });
    body.replaceChildren(
      ...roles.map((role) => checked(`rf-cap-${role}`, `authority_caps.${role}`, tf('cap', { role }),
        input(p.authority_caps[role], { type: 'number', step: '0.01', min: 0, 'data-role': role }))),
      checked('rf-confirmers', 'over_cap_confirmer_roles', tf('confirmers'), input(p.over_cap_confirmer_roles.join(', '))),
      checked('rf-window', 'appeal_window_days', tf('window'), input(p.appeal_window_days, { type: 'number', min: 1, max: 366 })),
      checked('rf-deciders', 'appeal_decider_roles', tf('deciders'), input(p.appeal_decider_roles.join(', '))),
      checked('rf-policy-reason', 'reason', tf('reason'), input('', { required: true, maxlength: 500 })));
  };
  get('/performance/policy').then(fill).catch((err) => { status.textContent = err.message; });
  return onSubmit(form, async () => {
    const val = (name) => form.querySelector(`[name="${name}"]`).value;
    const caps = Object.fromEntries(roles.map((role) => [role, Number(val(`authority_caps.${role}`))]));
    const saved = await api('PUT', '/performance/policy', {
      authority_caps: caps, over_cap_confirmer_roles: list(val('over_cap_confirmer_roles')),
      appeal_window_days: Number(val('appeal_window_days')), appeal_decider_roles: list(val('appeal_decider_roles')),
      reason: val('reason'),
    });
    fill(saved);
    say(tf('policySaved', { version: saved.version }));
    status.textContent = tf('policySaved', { version: saved.version });
  });
}

// A scheduled change's cancel form (with the audited reason), for staff:write over the unit.
export function cancelChangeForm(e, change, redraw) {
  if (!writesOver(e.org_path)) return null;
  const form = h('form', { class: 'row', id: `cancel-change-${change.id}` },
    checked(`cancel-change-${change.id}-reason`, 'reason', tf('cancelReason'), input('', { maxlength: 500, required: true })),
    formError(), h('button', { type: 'submit' }, tf('cancel')));
  return onSubmit(form, async () => {
    const reason = form.querySelector('[name="reason"]').value;
    await post(`/staff/scheduled-changes/${change.id}/cancel`, { reason });
    await redraw();
    say(tf('cancelled', { date: change.effective_date }));
  });
}
