// HR's forms about people: hiring (POST /staff/employees) from the employees page or a
// unit's page, and on an employee's page changing their status (在职/停职/离职, with the
// reason; POST …/status) and transferring them (unit, post, manager, from a date; POST
// …/transfer). A change dated after today is scheduled by staff, which the page then shows.
// Offered to holders of staff:write (over the employee's unit for the page's forms); staff
// checks scope — a transfer over the old and the new unit — and its refusal is shown.

import { get, post } from '../api.js';
import { h } from '../dom.js';
import { addStrings, lang, say, t } from '../i18n.js';
import { checked, formError, isoToday, onSubmit } from './formkit.js';
import { foldout, unitChoices, writesOver } from './orgforms.js';
import { cancelChangeForm } from './ruleforms.js';

addStrings({
  zh: {
    'people.form.hire': '办理入职', 'people.form.employeeNo': '员工号', 'people.form.name': '姓名',
    'people.form.nameEn': '英文姓名（可选）', 'people.form.org': '所在机构代码', 'people.form.position': '岗位',
    'people.form.pickPosition': '— 选择岗位 —', 'people.form.hireDate': '入职日期',
    'people.form.workStart': '参加工作时间（可选）', 'people.form.workStartHint': '不填则与入职日期相同；用于计算年休假。',
    'people.form.manager': '直接上级员工号（可选）', 'people.form.hireSubmit': '办理入职',
    'people.form.hired': '{no} {name} 已入职 {org}。', 'people.form.scheduledHire': '{no} 将于 {date} 入职（已排期）。',
    'people.form.status': '变更在职状态', 'people.form.newStatus': '新状态', 'people.form.reason': '原因',
    'people.form.effective': '生效日期（可选）', 'people.form.effectiveHint': '晚于今天则排期，到期生效；不填则立即生效。',
    'people.form.statusSubmit': '变更状态', 'people.form.statusDone': '{no} 现在「{status}」。',
    'people.form.scheduled': '已排期：{date} 生效。', 'people.form.transfer': '调动',
    'people.form.newOrg': '调入机构代码', 'people.form.newPosition': '新岗位（不选则不变）',
    'people.form.keepPosition': '— 岗位不变 —', 'people.form.transferDate': '调动生效日期',
    'people.form.transferSubmit': '办理调动', 'people.form.transferred': '{no} 已调至 {org}。',
    'people.form.pending': '待生效的变更', 'people.form.access': '登录账号与角色',
  },
  en: {
    'people.form.hire': 'Hire', 'people.form.employeeNo': 'Employee number', 'people.form.name': 'Name',
    'people.form.nameEn': 'English name (optional)', 'people.form.org': 'Unit code', 'people.form.position': 'Position',
    'people.form.pickPosition': '— choose a position —', 'people.form.hireDate': 'Hire date',
    'people.form.workStart': 'Started working (optional)', 'people.form.workStartHint': 'Defaults to the hire date; counts for annual leave.',
    'people.form.manager': "Manager's employee number (optional)", 'people.form.hireSubmit': 'Hire',
    'people.form.hired': '{no} {name} joined {org}.', 'people.form.scheduledHire': '{no} joins on {date} (scheduled).',
    'people.form.status': 'Change status', 'people.form.newStatus': 'New status', 'people.form.reason': 'Reason',
    'people.form.effective': 'From (optional)', 'people.form.effectiveHint': 'After today it is scheduled for that day; empty: at once.',
    'people.form.statusSubmit': 'Change status', 'people.form.statusDone': '{no} is now {status}.',
    'people.form.scheduled': 'Scheduled for {date}.', 'people.form.transfer': 'Transfer',
    'people.form.newOrg': 'New unit code', 'people.form.newPosition': 'New position (unchanged if none)',
    'people.form.keepPosition': '— same position —', 'people.form.transferDate': 'Effective date',
    'people.form.transferSubmit': 'Transfer', 'people.form.transferred': '{no} moved to {org}.',
    'people.form.pending': 'Changes waiting for their day', 'people.form.access': 'Sign-in account and roles',
  },
});

const tf = (key, vars) => t(`people.form.${key}`, vars);
const code = (attrs = {}) => h('input', { autocapitalize: 'characters', spellcheck: 'false', autocomplete: 'off', ...attrs });

let positionList = null;
function positionSelect(first) {
  const select = h('select', {}, h('option', { value: '' }, first));
  if (!positionList) positionList = get('/staff/positions?per_page=200').then((p) => p.items).catch(() => []);
  positionList.then((items) => select.append(...items.map((p) => h('option', { value: p.code },
    `${lang() === 'en' ? p.name_en : p.name_zh} (${p.code})`))));
  return select;
}
export function forgetPositions() { positionList = null; }

// The hire form (on the employees page; open and with the unit filled in from a unit's page).
export function hireForm(org = '') {
  const no = code({ required: true });
  const name = h('input', { required: true, maxlength: '200', autocomplete: 'off' });
  const nameEn = h('input', { maxlength: '200', lang: 'en', autocomplete: 'off' });
  const unit = code({ required: true, list: 'hire-units', value: org });
  const position = positionSelect(tf('pickPosition'));
  const hired = h('input', { type: 'date', required: true, value: isoToday() });
  const workStart = h('input', { type: 'date' });
  const manager = code();
  const form = h('form', { novalidate: true, id: 'hire-form' },
    h('div', { class: 'row' }, checked('hire-no', 'employee_no', tf('employeeNo'), no),
      checked('hire-name', 'name', tf('name'), name)),
    checked('hire-name-en', 'name_en', tf('nameEn'), nameEn),
    h('div', { class: 'row' }, checked('hire-org', 'org', tf('org'), unit),
      checked('hire-position', 'position', tf('position'), position)), unitChoices('hire-units'),
    h('div', { class: 'row' }, checked('hire-date', 'hire_date', tf('hireDate'), hired),
      checked('hire-work-start', 'work_start_date', tf('workStart'), workStart, tf('workStartHint'))),
    checked('hire-manager', 'manager', tf('manager'), manager), formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('hireSubmit')));
  onSubmit(form, async () => {
    const body = { employee_no: no.value.trim(), name: name.value.trim(), org: unit.value.trim(),
      position: position.value, hire_date: hired.value || null };
    if (nameEn.value.trim()) body.name_en = nameEn.value.trim();
    if (workStart.value) body.work_start_date = workStart.value;
    if (manager.value.trim()) body.manager = manager.value.trim();
    const made = await post('/staff/employees', body);
    if (body.hire_date > isoToday()) {
      say(tf('scheduledHire', { no: made.employee_no, date: body.hire_date }));
      window.location.hash = '#/employees';
      return;
    }
    say(tf('hired', { no: made.employee_no, name: made.name, org: made.org }));
    window.location.hash = `#/employee/${encodeURIComponent(made.employee_no)}`;
  });
  const box = foldout('hire', tf('hire'), form);
  box.open = Boolean(org);
  return box;
}

// The forms on an employee's page; `redraw()` draws the page again after a change.
export function employeeForms(e, redraw) {
  if (!writesOver(e.org_path)) return [];
  return [statusForm(e, redraw), transferForm(e, redraw)];
}

// Dated changes staff holds for later (a transfer or status change after today).
export function pendingChanges(e, redraw) {
  const items = e.scheduled_changes || [];
  if (!items.length) return null;
  return h('section', { class: 'card', id: 'scheduled-changes' }, h('h2', {}, tf('pending')),
    h('ul', {}, items.map((c) => h('li', {}, `${c.effective_date} · ${c.kind}`,
      redraw ? cancelChangeForm(e, c, redraw) : null))));
}

function statusForm(e, redraw) {
  const status = h('select', {}, ['active', 'suspended', 'left'].filter((s) => s !== e.status)
    .map((s) => h('option', { value: s }, t(`empStatus.${s}`))));
  const reason = h('textarea', { rows: '2', maxlength: '500', required: true });
  const effective = h('input', { type: 'date' });
  const form = h('form', { novalidate: true, id: 'status-form' },
    h('div', { class: 'row' }, checked('status-new', 'status', tf('newStatus'), status),
      checked('status-effective', 'effective_date', tf('effective'), effective, tf('effectiveHint'))),
    checked('status-reason', 'reason', tf('reason'), reason), formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('statusSubmit')));
  onSubmit(form, async () => {
    const body = { status: status.value, reason: reason.value.trim() || null };
    if (effective.value) body.effective_date = effective.value;
    const after = await post(`/staff/employees/${encodeURIComponent(e.employee_no)}/status`, body);
    await redraw();
    say(body.effective_date > isoToday() ? tf('scheduled', { date: body.effective_date })
      : tf('statusDone', { no: after.employee_no, status: t(`empStatus.${after.status}`) }));
  });
  return foldout('employee-status', tf('status'), form);
}

function transferForm(e, redraw) {
  const org = code({ required: true, list: 'transfer-units' });
  const position = positionSelect(tf('keepPosition'));
  const effective = h('input', { type: 'date', required: true, value: isoToday() });
  const manager = code({ value: e.manager || '' });
  const form = h('form', { novalidate: true, id: 'transfer-form' },
    h('div', { class: 'row' }, checked('transfer-org', 'org', tf('newOrg'), org),
      checked('transfer-position', 'position', tf('newPosition'), position)), unitChoices('transfer-units'),
    h('div', { class: 'row' }, checked('transfer-date', 'effective_date', tf('transferDate'), effective),
      checked('transfer-manager', 'manager', tf('manager'), manager)), formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('transferSubmit')));
  onSubmit(form, async () => {
    const body = { org: org.value.trim(), effective_date: effective.value || null,
      manager: manager.value.trim() || null };
    if (position.value) body.position = position.value;
    const after = await post(`/staff/employees/${encodeURIComponent(e.employee_no)}/transfer`, body);
    await redraw();
    say(body.effective_date > isoToday() ? tf('scheduled', { date: body.effective_date })
      : tf('transferred', { no: after.employee_no, org: after.org }));
  });
  return foldout('employee-transfer', tf('transfer'), form);
}
