// 登记违规 — recording an incident (POST /performance/incidents) by a holder of
// performance:record: the employee by number (their name and unit shown once staff finds
// them), a rule of the current rulebook (its points and range shown), the day, what happened,
// the severity the rule allows, and the amount — within the rule's range, or discretionary
// with a reason for a rule without one (the recorder's authority cap is the server's to apply;
// above it hr of the governing branch must confirm). It counts only once someone else
// confirms it (four-eyes), so the page goes on to the incident, where the reviewer decides.

import { get, post } from '../api.js';
import { clear, h, title } from '../dom.js';
import { addStrings, lang, say, t } from '../i18n.js';
import { checked, formError, isoToday, onSubmit } from './formkit.js';

addStrings({
  zh: {
    'incident.form.title': '登记违规', 'incident.form.employee': '员工号',
    'incident.form.employeeHint': '输入后按 Tab，显示姓名与机构。',
    'incident.form.found': '{name} · {unit}', 'incident.form.notFound': '未找到此员工（或不在你的范围内）。',
    'incident.form.rule': '违反条款', 'incident.form.pickRule': '— 选择条款 —',
    'incident.form.ruleFacts': '积分 {points} · 扣罚范围 {range} · 后果 {consequence}',
    'incident.form.noRange': '无固定范围（酌情）', 'incident.form.occurred': '发生日期',
    'incident.form.description': '事实经过', 'incident.form.severity': '情节',
    'incident.form.severity.normal': '一般', 'incident.form.severity.aggravated': '情节严重',
    'incident.form.severity.egregious': '情节特别严重',
    'incident.form.amount': '扣罚金额（元）', 'incident.form.amountRange': '须在 {min}–{max} 元之间。',
    'incident.form.discretionary': '酌情扣罚金额（元，可选）',
    'incident.form.discretionaryHint': '超出你的权限额度时，须由管辖行人力资源部确认。',
    'incident.form.points': '加重后的积分', 'incident.form.pointsHint': '须高于条款积分 {points}。',
    'incident.form.reason': '加重或酌情扣罚的理由（报告原因）', 'incident.form.submit': '登记',
    'incident.form.recorded': '已登记 #{id}，待他人确认。', 'incident.form.none': '无',
  },
  en: {
    'incident.form.title': 'Record an incident', 'incident.form.employee': 'Employee number',
    'incident.form.employeeHint': 'Type it and press Tab: the name and unit appear.',
    'incident.form.found': '{name} · {unit}', 'incident.form.notFound': 'No such employee (or outside your scope).',
    'incident.form.rule': 'Rule broken', 'incident.form.pickRule': '— choose a rule —',
    'incident.form.ruleFacts': 'Points {points} · range {range} · consequence {consequence}',
    'incident.form.noRange': 'no fixed range (discretionary)', 'incident.form.occurred': 'Occurred on',
    'incident.form.description': 'What happened', 'incident.form.severity': 'Severity',
    'incident.form.severity.normal': 'Normal', 'incident.form.severity.aggravated': 'Aggravated',
    'incident.form.severity.egregious': 'Egregious',
    'incident.form.amount': 'Deduction (yuan)', 'incident.form.amountRange': 'Between {min} and {max} yuan.',
    'incident.form.discretionary': 'Discretionary deduction (yuan, optional)',
    'incident.form.discretionaryHint': "Above your authority cap, hr of the governing branch must confirm it.",
    'incident.form.points': 'Points for the aggravated case', 'incident.form.pointsHint': "More than the rule's {points}.",
    'incident.form.reason': 'Why (aggravated or discretionary; reported)', 'incident.form.submit': 'Record',
    'incident.form.recorded': 'Recorded #{id}; awaiting someone else’s decision.', 'incident.form.none': 'none',
  },
});

const tf = (key, vars) => t(`incident.form.${key}`, vars);

function ruleLabel(rule) {
  const name = lang() === 'en' ? rule.title_en : rule.title_zh;
  return `${rule.code} · ${name}`;
}

function hasRange(rule) {
  return rule && rule.deduction_min !== null && rule.deduction_min !== undefined;
}

export async function record(view) {
  const found = await get('/performance/rules?per_page=200');
  const rules = new Map(found.items.map((r) => [r.code, r]));
  const employee = h('input', { spellcheck: 'false', autocomplete: 'off', required: true });
  const who = h('output', { id: 'incident-employee-name', 'aria-live': 'polite', class: 'hint' });
  const rule = h('select', { required: true }, h('option', { value: '' }, tf('pickRule')),
    found.items.map((r) => h('option', { value: r.code }, ruleLabel(r))));
  const ruleFacts = h('output', { id: 'incident-rule-facts', 'aria-live': 'polite', class: 'hint' });
  const occurred = h('input', { type: 'date', value: isoToday(), max: isoToday(), required: true });
  const description = h('textarea', { rows: '3', maxlength: '4000', required: true });
  const severity = h('select', {});
  const amount = h('input', { type: 'number', step: '0.01', min: '0', inputmode: 'decimal' });
  const amountLabel = h('span', {});
  const points = h('input', { type: 'number', step: '1', min: '1', inputmode: 'numeric' });
  const reason = h('textarea', { rows: '2', maxlength: '4000' });
  const amountField = checked('incident-amount', 'deduction_amount', amountLabel, amount, ' ');
  const amountHint = amountField.querySelector('.hint');
  const pointsField = checked('incident-points', 'points_override', tf('points'), points, ' ');
  const reasonField = checked('incident-reason', 'override_reason', tf('reason'), reason);

  const lookUp = async () => {
    const no = employee.value.trim();
    if (!no) { who.textContent = ''; return; }
    try {
      const e = await get(`/staff/employees/${encodeURIComponent(no)}`);
      if (employee.value.trim() === no) {
        who.textContent = tf('found', { name: lang() === 'en' && e.name_en ? e.name_en : e.name, unit: e.org });
      }
    } catch {
      if (employee.value.trim() === no) who.textContent = tf('notFound');
    }
  };
  const severities = () => { // the severities the chosen rule allows, keeping the choice
    const r = rules.get(rule.value);
    const kept = severity.value || 'normal';
    clear(severity, ['normal', ...((r && r.severities) || [])].map((s) => h('option', { value: s }, tf(`severity.${s}`))));
    severity.value = [...severity.options].some((o) => o.value === kept) ? kept : 'normal';
  };
  const shape = () => {
    const r = rules.get(rule.value);
    if (!r) { ruleFacts.textContent = ''; } else {
      const range = hasRange(r) ? `${r.deduction_min}–${r.deduction_max}` : tf('noRange');
      const consequence = r.consequence ? t(`consequence.${r.consequence}`, {}, r.consequence) : tf('none');
      ruleFacts.textContent = tf('ruleFacts', { points: r.points ?? '—', range, consequence });
    }
    amountLabel.textContent = hasRange(r) || !r ? tf('amount') : tf('discretionary');
    amountHint.textContent = hasRange(r)
      ? tf('amountRange', { min: r.deduction_min, max: r.deduction_max }) : r ? tf('discretionaryHint') : '';
    amount.required = hasRange(r);
    const aggravated = severity.value === 'aggravated';
    pointsField.hidden = !aggravated;
    pointsField.querySelector('.hint').textContent = tf('pointsHint', { points: r ? r.points ?? '—' : '—' });
    reasonField.hidden = !(aggravated || (r && !hasRange(r) && amount.value !== ''));
  };
  employee.addEventListener('change', lookUp);
  rule.addEventListener('change', () => { severities(); shape(); });
  severity.addEventListener('change', shape);
  amount.addEventListener('input', shape);
  severities();
  shape();

  const form = h('form', { novalidate: true, class: 'card', id: 'incident-form' },
    checked('incident-employee', 'employee_no', tf('employee'), employee, tf('employeeHint')), who,
    checked('incident-rule', 'rule', tf('rule'), rule), ruleFacts,
    h('div', { class: 'row' }, checked('incident-occurred', 'occurred_on', tf('occurred'), occurred),
      checked('incident-severity', 'severity', tf('severity'), severity)),
    checked('incident-description', 'description', tf('description'), description),
    amountField, pointsField, reasonField, formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('submit')));
  onSubmit(form, async () => {
    const body = { employee_no: employee.value.trim(), rule: rule.value, occurred_on: occurred.value,
      description: description.value.trim(), severity: severity.value };
    if (amount.value !== '') body.deduction_amount = Number(amount.value);
    if (!pointsField.hidden && points.value !== '') body.points_override = Number(points.value);
    if (!reasonField.hidden && reason.value.trim()) body.override_reason = reason.value.trim();
    const made = await post('/performance/incidents', body);
    say(tf('recorded', { id: made.id }));
    window.location.hash = `#/incident/${made.id}`;
  });
  clear(view, title(tf('title')), form);
}
