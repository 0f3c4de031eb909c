// The job-duty catalogue's forms (岗位职责): a new position (POST /staff/positions) on the
// positions page, and editing one (PATCH /staff/positions/{code}: only what changed, a new
// version) on its page. Duties are typed one a line in Chinese, with an optional English
// line for each; a line kept as it was keeps its category and source. The catalogue is
// organisation-wide: staff lets only staff:write over "*" or the head office edit it, so the
// forms are offered to holders of staff:write over a root unit — staff has the last word.

import { api, claims, post } from '../api.js';
import { h } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { checked, formError, onSubmit } from './formkit.js';
import { UNIT_TYPES, foldout } from './orgforms.js';
import { forgetPositions } from './peopleforms.js';

addStrings({
  zh: {
    'position.form.new': '新增岗位', 'position.form.edit': '修改岗位', 'position.form.code': '岗位代码',
    'position.form.codeHint': '大写字母、数字、_ 或 -。', 'position.form.nameZh': '中文名称',
    'position.form.nameEn': '英文名称', 'position.form.grade': '层级', 'position.form.unitTypes': '适用机构类型',
    'position.form.mustCover': '不得空岗（请假须有顶岗人）', 'position.form.source': '来源文件（可选）',
    'position.form.duties': '岗位职责（每行一条）', 'position.form.dutiesEn': '职责英文（可选，与上面逐行对应）',
    'position.form.create': '新增岗位', 'position.form.save': '保存修改',
    'position.form.created': '已新增岗位 {code}。', 'position.form.saved': '已保存 {code}，现为第 {version} 版。',
    'position.form.unchanged': '没有改动。',
  },
  en: {
    'position.form.new': 'New position', 'position.form.edit': 'Edit this position', 'position.form.code': 'Position code',
    'position.form.codeHint': 'Capitals, digits, _ or -.', 'position.form.nameZh': 'Chinese name',
    'position.form.nameEn': 'English name', 'position.form.grade': 'Grade', 'position.form.unitTypes': 'Unit types',
    'position.form.mustCover': 'Must be covered (a stand-in on leave)', 'position.form.source': 'Source document (optional)',
    'position.form.duties': 'Duties (one a line, Chinese)', 'position.form.dutiesEn': 'Duties in English (optional, line by line)',
    'position.form.create': 'Add position', 'position.form.save': 'Save changes',
    'position.form.created': 'Added position {code}.', 'position.form.saved': 'Saved {code}: now version {version}.',
    'position.form.unchanged': 'Nothing changed.',
  },
});

const tf = (key, vars) => t(`position.form.${key}`, vars);
const lines = (text) => text.split('\n').map((s) => s.trim());

// staff:write over "*" or a root unit (the head office): who may edit the catalogue.
export function editsCatalogue() {
  return ((claims() && claims().roles) || []).some((r) => (r.role === 'admin'
    || (r.permissions || []).includes('staff:write')) && (r.org === '*' || !String(r.path || '').includes('/')));
}

// The fields both forms share, filled from `p` (a position, or nothing for a new one).
function fields(prefix, p) {
  const c = {
    nameZh: h('input', { required: true, maxlength: '200', value: p ? p.name_zh : '' }),
    nameEn: h('input', { required: true, maxlength: '200', lang: 'en', value: p ? p.name_en : '' }),
    grade: h('select', {}, ['staff', 'mid', 'head'].map((g) => h('option', { value: g }, t(`grade.${g}`)))),
    mustCover: h('input', { type: 'checkbox' }),
    source: h('input', { maxlength: '200', value: (p && p.source) || '' }),
    duties: h('textarea', { rows: '5', required: true }),
    dutiesEn: h('textarea', { rows: '3', lang: 'en' }),
    types: UNIT_TYPES.map((ty) => h('input', { type: 'checkbox', value: ty, id: `${prefix}-type-${ty}` })),
  };
  if (p) {
    c.grade.value = p.grade;
    c.mustCover.checked = Boolean(p.must_cover);
    c.duties.value = p.duties.map((d) => d.text_zh).join('\n');
    c.dutiesEn.value = p.duties.map((d) => d.text_en || '').join('\n');
    for (const box of c.types) box.checked = (p.unit_types || []).includes(box.value);
  }
  c.mustCover.id = `${prefix}-must-cover`;
  c.mustCover.name = 'must_cover';
  const parts = [
    h('div', { class: 'row' }, checked(`${prefix}-name-zh`, 'name_zh', tf('nameZh'), c.nameZh),
      checked(`${prefix}-name-en`, 'name_en', tf('nameEn'), c.nameEn)),
    checked(`${prefix}-grade`, 'grade', tf('grade'), c.grade),
    h('fieldset', { class: 'choices', 'data-field': 'unit_types' }, h('legend', {}, tf('unitTypes')),
      c.types.map((box) => h('label', { class: 'choice', for: box.id }, box, ` ${t(`unitType.${box.value}`)}`)),
      h('p', { class: 'error field-error', 'data-error-for': 'unit_types' })),
    h('label', { class: 'choice', for: c.mustCover.id }, c.mustCover, ` ${tf('mustCover')}`),
    checked(`${prefix}-source`, 'source', tf('source'), c.source),
    checked(`${prefix}-duties`, 'duties', tf('duties'), c.duties),
    checked(`${prefix}-duties-en`, 'duties_en', tf('dutiesEn'), c.dutiesEn),
  ];
  return { c, parts };
}

// The duties typed, each keeping what an unchanged line had (its category and source).
function duties(c, before = []) {
  const en = lines(c.dutiesEn.value);
  return lines(c.duties.value).map((zh, i) => ({ zh, en: en[i] || null })).filter((d) => d.zh)
    .map(({ zh, en: textEn }) => {
      const kept = before.find((d) => d.text_zh === zh);
      const duty = { text_zh: zh, text_en: textEn };
      if (kept && kept.category) duty.category = kept.category;
      if (kept && kept.source) duty.source = kept.source;
      return duty;
    });
}

function values(c, before) {
  return { name_zh: c.nameZh.value.trim(), name_en: c.nameEn.value.trim(), grade: c.grade.value,
    must_cover: c.mustCover.checked, unit_types: c.types.filter((b) => b.checked).map((b) => b.value),
    source: c.source.value.trim() || null, duties: duties(c, before) };
}

export function newPositionForm() {
  const code = h('input', { autocapitalize: 'characters', spellcheck: 'false', autocomplete: 'off', required: true });
  const { c, parts } = fields('position-new');
  const form = h('form', { novalidate: true, id: 'position-new-form' },
    checked('position-new-code', 'code', tf('code'), code, tf('codeHint')), parts, formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('create')));
  onSubmit(form, async () => {
    const made = await post('/staff/positions', { code: code.value.trim(), ...values(c) });
    forgetPositions();
    say(tf('created', { code: made.code }));
    window.location.hash = `#/position/${encodeURIComponent(made.code)}`;
  });
  return foldout('position-new', tf('new'), form);
}

// Only the fields that differ go to PATCH, so the version records what really changed.
export function editPositionForm(p, redraw) {
  const { c, parts } = fields('position-edit', p);
  const form = h('form', { novalidate: true, id: 'position-edit-form' }, parts, formError(),
    h('button', { type: 'submit', class: 'primary' }, tf('save')));
  onSubmit(form, async () => {
    const now = values(c, p.duties);
    const was = { ...values(fields('x', p).c, p.duties) };
    const changes = Object.fromEntries(Object.entries(now)
      .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(was[k])));
    if (!Object.keys(changes).length) { say(tf('unchanged')); return; }
    const saved = await api('PATCH', `/staff/positions/${encodeURIComponent(p.code)}`, changes);
    forgetPositions();
    await redraw();
    say(tf('saved', { code: saved.code, version: saved.version }));
  });
  return foldout('position-edit', tf('edit'), form);
}
