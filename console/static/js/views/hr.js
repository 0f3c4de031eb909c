// HR's pages on staff: the org chart (staff's SVG, each unit a link to its page), a unit
// with its people, employees, and positions with their duties (岗位职责). The write forms
// come from orgforms.js, peopleforms.js, positionforms.js and accessforms.js, each page
// offering only those the reader's token suggests staff (or auth) will allow.

import { can, get, query, roleOrgs } from '../api.js';
import { clear, facts, h, section, table, title } from '../dom.js';
import { lang, t } from '../i18n.js';
import { administers } from './accessforms.js';
import { unitForms } from './orgforms.js';
import { employeeForms, hireForm, pendingChanges } from './peopleforms.js';
import { editPositionForm, editsCatalogue, newPositionForm } from './positionforms.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function rootUnit() {
  const orgs = roleOrgs('staff:read');
  return orgs.includes('*') || !orgs.length ? 'HQ' : orgs[0];
}

export async function orgChart(view, [code]) {
  return unit(view, [code || rootUnit()]);
}

// staff's chart is a standalone SVG of presentation attributes; it is parsed and drawn as
// DOM nodes (no <script>, no event attributes, nothing from elsewhere survives), and each
// unit's group <g id="unit-CODE"> becomes a keyboard-reachable link to the unit's page.
export function chartNodes(svgText) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.namespaceURI !== SVG_NS || svg.localName !== 'svg') return null;
  svg.querySelectorAll('script, foreignObject, a, use, image, style').forEach((n) => n.remove());
  svg.querySelectorAll('*').forEach((el) => {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || attr.name === 'style' || /href$/i.test(attr.name)) {
        el.removeAttribute(attr.name);
      }
    }
  });
  svg.removeAttribute('style');
  svg.setAttribute('role', 'group');
  svg.querySelectorAll('g[id^="unit-"]').forEach((g) => {
    const code = g.id.slice('unit-'.length);
    g.setAttribute('role', 'link');
    g.setAttribute('tabindex', '0');
    g.setAttribute('aria-label', `${t('org.openUnit')} ${code}`);
    g.dataset.unit = code;
  });
  return document.importNode(svg, true);
}

export async function unit(view, [code]) {
  const [info, svgText, people] = await Promise.all([
    get(`/staff/org-units/${encodeURIComponent(code)}`),
    get(`/staff/org-units/${encodeURIComponent(code)}/chart.svg`, { as: 'text', headers: { Accept: 'image/svg+xml' } }),
    get(`/staff/employees${query({ org: code, per_page: 100 })}`),
  ]);
  const chart = chartNodes(svgText);
  // Listeners go on the imported copy (importNode does not carry them).
  chart?.querySelectorAll('g[data-unit]').forEach((g) => {
    const open = () => { window.location.hash = `#/units/${encodeURIComponent(g.dataset.unit)}`; };
    g.addEventListener('click', open);
    g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(); } });
  });
  const parent = info.path.split('/').slice(-2, -1)[0];
  clear(view, title(`${info.name_zh}${info.name_en && lang() === 'en' ? ` · ${info.name_en}` : ''} (${info.code})`),
    section(t('org.unit'), facts([
      [t('col.code'), info.code], [t('col.unitType'), t(`unitType.${info.type}`, {}, info.type)],
      [t('col.path'), info.path],
      [t('org.parent'), parent ? h('a', { href: `#/units/${encodeURIComponent(parent)}` }, parent) : '—'],
    ])),
    section(t('org.chart'), h('p', { class: 'hint' }, t('org.chartHint')),
      h('div', { class: 'chart', id: 'org-chart' }, chart || t('none'))),
    section(t('org.people', { n: people.total }), employeeTable(people.items)),
    unitForms(info, (again) => unit(view, [again])));
}

function employeeTable(items) {
  if (!items.length) return h('p', { class: 'hint' }, t('none'));
  return table(null, [t('col.employeeNo'), t('col.name'), t('col.unit'), t('col.position'), t('col.grade')],
    items.map((e) => [h('a', { href: `#/employee/${encodeURIComponent(e.employee_no)}` }, e.employee_no),
      lang() === 'en' && e.name_en ? e.name_en : e.name,
      h('a', { href: `#/units/${encodeURIComponent(e.org)}` }, e.org),
      h('a', { href: `#/position/${encodeURIComponent(e.position)}` }, e.position),
      t(`grade.${e.grade}`, {}, e.grade)]));
}

// #/employees, #/employees/2 (a page), #/employees/hire/UNIT (the hire form open, the unit in).
export async function employees(view, [page = '1', org = '']) {
  const hiring = page === 'hire';
  if (hiring) page = '1';
  const holder = h('div', {});
  const search = h('input', { id: 'employee-q', type: 'search' });
  const form = h('form', { role: 'search' }, h('label', { for: 'employee-q' }, t('employees.search')),
    search, h('button', { type: 'submit' }, t('employees.go')));
  const load = async (q, p) => {
    const found = await get(`/staff/employees${query({ q, page: p, per_page: 50, org: rootUnit(), subtree: true })}`);
    clear(holder, h('p', { class: 'hint' }, t('employees.total', { n: found.total })),
      employeeTable(found.items));
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); load(search.value.trim(), 1); });
  await load('', page);
  clear(view, title(t('nav.employees')), can('staff:write') ? hireForm(hiring ? org : '') : null,
    h('div', { class: 'card' }, form), h('div', { class: 'card' }, holder));
}

export async function employee(view, [no]) {
  const e = await get(`/staff/employees/${encodeURIComponent(no)}`);
  const chain = await get(`/staff/employees/${encodeURIComponent(no)}/chain`).catch(() => null);
  clear(view, title(`${e.name} (${e.employee_no})`), section(t('employees.record'), facts([
    [t('col.unit'), h('a', { href: `#/units/${encodeURIComponent(e.org)}` }, `${e.org} · ${e.org_path}`)],
    [t('col.position'), h('a', { href: `#/position/${encodeURIComponent(e.position)}` }, e.position)],
    [t('col.grade'), t(`grade.${e.grade}`, {}, e.grade)],
    [t('col.manager'), e.manager || '—'],
    [t('col.hired'), e.hire_date], [t('col.status'), t(`empStatus.${e.status}`, {}, e.status || '—')],
    [t('col.outlet'), chain && chain.outlet ? chain.outlet.code : '—'],
    [t('col.branch'), chain ? chain.governing_branch.code : '—'],
  ])), pendingChanges(e, () => employee(view, [no])), employeeForms(e, () => employee(view, [no])),
    administers() ? h('p', {}, h('a', { href: `#/users/${encodeURIComponent(e.employee_no)}` },
      t('people.form.access'))) : null);
  view.append(h('p', {}, h('a', { href: '#/employees' }, t('employees.back'))));
}

export async function positions(view) {
  const found = await get('/staff/positions?per_page=200');
  clear(view, title(t('nav.positions')), editsCatalogue() ? newPositionForm() : null,
    h('div', { class: 'card' }, table(null,
    [t('col.code'), t('col.name'), t('col.grade'), t('positions.mustCover'), t('positions.duties')],
    found.items.map((p) => [h('a', { href: `#/position/${encodeURIComponent(p.code)}` }, p.code),
      lang() === 'en' ? p.name_en : p.name_zh, t(`grade.${p.grade}`, {}, p.grade),
      p.must_cover ? t('yes') : t('no'), String(p.duties.length)]))));
}

export async function position(view, [code]) {
  const p = await get(`/staff/positions/${encodeURIComponent(code)}`);
  clear(view, title(`${lang() === 'en' ? p.name_en : p.name_zh} (${p.code})`),
    section(t('positions.facts'), facts([
      [t('col.grade'), t(`grade.${p.grade}`, {}, p.grade)],
      [t('positions.mustCover'), p.must_cover ? t('yes') : t('no')],
      [t('positions.unitTypes'), p.unit_types.join(', ') || '—'],
      [t('positions.version'), p.version], [t('positions.source'), p.source || '—'],
    ])),
    section(t('positions.duties'), h('ol', {}, p.duties.map((d) => h('li', {},
      lang() === 'en' && d.text_en ? d.text_en : d.text_zh,
      d.category ? h('span', { class: 'hint' }, ` [${d.category}]`) : null)))),
    editsCatalogue() ? editPositionForm(p, () => position(view, [code])) : null);
}
