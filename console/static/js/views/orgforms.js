// HR's forms on a unit's page (#/units/CODE): open a unit under it (POST /staff/org-units),
// rename, deactivate or reactivate it (PATCH /staff/org-units/{code}) and move it under another parent
// (POST /staff/org-units/{code}/move). Offered only to a holder of staff:write over the unit
// (for a move: over its present parent) — the token says where; staff decides for real
// (over the new parent too) and its refusal is shown. Also the helpers the other HR form
// modules share: where the reader may write, and the units they may pick from.

import { api, claims, get, post } from '../api.js';
import { h } from '../dom.js';
import { addStrings, lang, say, t } from '../i18n.js';
import { checked, formError, onSubmit } from './formkit.js';

addStrings({
  zh: {
    'org.form.add': '新设下级机构', 'org.form.code': '机构代码', 'org.form.codeHint': '大写字母、数字、_ 或 -，全行唯一。',
    'org.form.nameZh': '中文名称', 'org.form.nameEn': '英文名称（可选）', 'org.form.type': '机构类型',
    'org.form.create': '新设机构', 'org.form.created': '已新设 {code}（{path}）。',
    'org.form.newNameZh': '新的中文名称', 'org.form.newNameEn': '新的英文名称（可选）',
    'org.form.rename': '修改名称', 'org.form.save': '保存名称', 'org.form.renamed': '已修改 {code} 的名称。',
    'org.form.move': '调整隶属关系', 'org.form.newParent': '新的上级机构代码',
    'org.form.moveHint': '其下所有机构与人员随之调整；须对原、新上级都有人事管理权限。',
    'org.form.moveSubmit': '调整', 'org.form.moved': '{code} 已调整到 {path}。',
    'org.form.hire': '在本机构办理入职',
    'org.form.active': '撤销或恢复机构', 'org.form.deactivate': '撤销本机构', 'org.form.reactivate': '恢复本机构',
    'org.form.activeHint': '尚有在岗人员或下级机构的，不能撤销（服务端拒绝并说明原因）。',
    'org.form.deactivated': '已撤销 {code}。', 'org.form.reactivated': '已恢复 {code}。',
  },
  en: {
    'org.form.add': 'Open a unit under this one', 'org.form.code': 'Unit code',
    'org.form.codeHint': 'Capitals, digits, _ or -; unique in the whole bank.',
    'org.form.nameZh': 'Chinese name', 'org.form.nameEn': 'English name (optional)', 'org.form.type': 'Unit type',
    'org.form.create': 'Open unit', 'org.form.created': 'Opened {code} ({path}).',
    'org.form.newNameZh': 'New Chinese name', 'org.form.newNameEn': 'New English name (optional)',
    'org.form.rename': 'Rename', 'org.form.save': 'Save names', 'org.form.renamed': 'Renamed {code}.',
    'org.form.move': 'Move under another parent', 'org.form.newParent': 'New parent unit code',
    'org.form.moveHint': 'Everything below moves with it; you need staff:write over the old and the new parent.',
    'org.form.moveSubmit': 'Move', 'org.form.moved': '{code} is now at {path}.',
    'org.form.hire': 'Hire into this unit',
    'org.form.active': 'Deactivate or reactivate', 'org.form.deactivate': 'Deactivate this unit',
    'org.form.reactivate': 'Reactivate this unit',
    'org.form.activeHint': 'A unit with active staff or active units below cannot be deactivated (staff refuses and says why).',
    'org.form.deactivated': 'Deactivated {code}.', 'org.form.reactivated': 'Reactivated {code}.',
  },
});

const tf = (key, vars) => t(`org.form.${key}`, vars);
export const UNIT_TYPES = ['head_office', 'branch', 'sub_branch', 'outlet', 'department'];

// Does a role of the reader carry `permission` over the unit at `path` (its own binding's
// path, "*", or a unit above)? A convenience only: the service checks again.
export function writesOver(path, permission = 'staff:write') {
  const roles = (claims() && claims().roles) || [];
  return roles.some((r) => (r.role === 'admin' || (r.permissions || []).includes(permission))
    && (r.org === '*' || r.path === '*' || path === r.path || String(path).startsWith(`${r.path}/`)));
}

// The units the reader can see, as a <datalist> for code inputs (typing still works); asked
// once per signed-in user (another user in the same tab asks again: their scope differs).
let unitList = null;
export function unitChoices(id) {
  const list = h('datalist', { id });
  const sub = claims() && claims().sub;
  if (!unitList || unitList.sub !== sub) {
    unitList = { sub, items: get('/staff/org-units?per_page=200&active=true').then((p) => p.items).catch(() => []) };
  }
  unitList.items.then((items) => list.append(...items.map((u) => h('option', { value: u.code },
    `${lang() === 'en' && u.name_en ? u.name_en : u.name_zh} · ${u.path}`))));
  return list;
}
export function forgetUnits() { unitList = null; }

// A card that opens on demand: the page stays short on a phone; <summary> is a keyboard control.
export function foldout(id, heading, ...children) {
  return h('details', { class: 'card', id }, h('summary', {}, heading), children);
}

export function typeSelect() {
  return h('select', {}, UNIT_TYPES.map((ty) => h('option', { value: ty }, t(`unitType.${ty}`))));
}

// The forms a unit's page offers its reader; `redraw(code)` draws that unit's page again.
export function unitForms(info, redraw) {
  const parts = [];
  if (!writesOver(info.path)) return parts;
  parts.push(h('p', {}, h('a', { class: 'button', href: `#/employees/hire/${encodeURIComponent(info.code)}` },
    tf('hire'))));
  parts.push(addForm(info));
  parts.push(renameForm(info, redraw));
  parts.push(activeForm(info, redraw));
  const parentPath = info.path.split('/').slice(0, -1).join('/');
  if (parentPath && writesOver(parentPath)) parts.push(moveForm(info, redraw));
  return parts;
}

function addForm(info) {
  const code = h('input', { autocapitalize: 'characters', spellcheck: 'false', autocomplete: 'off', required: true });
  const nameZh = h('input', { required: true, maxlength: '200' });
  const nameEn = h('input', { maxlength: '200', lang: 'en' });
  const type = typeSelect();
  type.value = 'department';
  const form = h('form', { novalidate: true, id: 'unit-add-form' },
    checked('unit-add-code', 'code', tf('code'), code, tf('codeHint')),
    h('div', { class: 'row' }, checked('unit-add-name-zh', 'name_zh', tf('nameZh'), nameZh),
      checked('unit-add-name-en', 'name_en', tf('nameEn'), nameEn)),
    checked('unit-add-type', 'type', tf('type'), type), formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('create')));
  onSubmit(form, async () => {
    const made = await post('/staff/org-units', { code: code.value.trim(), name_zh: nameZh.value.trim(),
      name_en: nameEn.value.trim() || null, type: type.value, parent: info.code });
    forgetUnits();
    say(tf('created', { code: made.code, path: made.path }));
    window.location.hash = `#/units/${encodeURIComponent(made.code)}`;
  });
  return foldout('unit-add', tf('add'), form);
}

function renameForm(info, redraw) {
  const nameZh = h('input', { required: true, maxlength: '200', value: info.name_zh });
  const nameEn = h('input', { maxlength: '200', lang: 'en', value: info.name_en || '' });
  const form = h('form', { novalidate: true, id: 'unit-rename-form' },
    h('div', { class: 'row' }, checked('unit-name-zh', 'name_zh', tf('newNameZh'), nameZh),
      checked('unit-name-en', 'name_en', tf('newNameEn'), nameEn)), formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('save')));
  onSubmit(form, async () => {
    await api('PATCH', `/staff/org-units/${encodeURIComponent(info.code)}`,
      { name_zh: nameZh.value.trim(), name_en: nameEn.value.trim() || null });
    forgetUnits();
    await redraw(info.code); // then say it: the status means the page shows the change
    say(tf('renamed', { code: info.code }));
  });
  return foldout('unit-rename', tf('rename'), form);
}

// Deactivate (or reactivate) the unit; staff's 409 (active staff or child units) is told in the
// status region, as every non-field refusal is.
function activeForm(info, redraw) {
  const active = info.active !== false;
  const form = h('form', { novalidate: true, id: 'unit-active-form' },
    h('p', { class: 'hint' }, tf('activeHint')), formError(),
    h('button', { type: 'submit', class: active ? 'reject' : 'primary' },
      tf(active ? 'deactivate' : 'reactivate')));
  onSubmit(form, async () => {
    await api('PATCH', `/staff/org-units/${encodeURIComponent(info.code)}`, { active: !active });
    forgetUnits();
    await redraw(info.code);
    say(tf(active ? 'deactivated' : 'reactivated', { code: info.code }));
  });
  return foldout('unit-active', tf('active'), form);
}

function moveForm(info, redraw) {
  const parent = h('input', { autocapitalize: 'characters', spellcheck: 'false', autocomplete: 'off',
    required: true, list: 'unit-move-choices' });
  const form = h('form', { novalidate: true, id: 'unit-move-form' },
    checked('unit-move-parent', 'parent', tf('newParent'), parent, tf('moveHint')),
    unitChoices('unit-move-choices'), formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('moveSubmit')));
  onSubmit(form, async () => {
    const moved = await post(`/staff/org-units/${encodeURIComponent(info.code)}/move`,
      { parent: parent.value.trim() });
    forgetUnits();
    await redraw(info.code);
    say(tf('moved', { code: moved.code, path: moved.path }));
  });
  return foldout('unit-move', tf('move'), form);
}
