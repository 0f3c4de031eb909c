// Small pieces every page uses: status badges, the step a request waits at, people's names,
// and error messages from problem+json answers.

import { can, claims, get } from '../api.js';
import { badge, h } from '../dom.js';
import { t } from '../i18n.js';

export function statusBadge(status) {
  return badge(status, t(`status.${status}`));
}

export function roleName(role) {
  return t(`role.${role}`);
}

// "支行行长 @SB01 (初审)" — the step awaiting a decision, or '' once decided.
export function currentStep(request) {
  const step = (request.steps || []).find((s) => s.status === 'pending');
  if (!step) return '';
  const kind = step.final ? t('step.final') : t('step.review');
  return `${roleName(step.role)} @${step.org} (${kind})`;
}

export function stepsList(request) {
  return h('ol', { class: 'steps' }, (request.steps || []).map((s) => h('li', {},
    `${roleName(s.role)} @${s.org} · ${s.final ? t('step.final') : t('step.review')} `,
    statusBadge(s.status),
    s.decided_by ? [` ${t('step.by', { who: '' })}`,
      s.decided_by_employee ? person(s.decided_by_employee) : s.decided_by] : '',
    s.comment ? ` — “${s.comment}”` : '')));
}

// Names for employee numbers, asked of staff once each (the caller's own scope decides what
// is visible; a number outside it simply stays a number). Without staff:read only one's own
// record is readable, so nobody else's is asked for.
const names = new Map();
export function nameOf(employeeNo) {
  if (!employeeNo) return Promise.resolve('');
  if (!can('staff:read') && employeeNo !== claims().emp) return Promise.resolve(employeeNo);
  if (!names.has(employeeNo)) {
    names.set(employeeNo, get(`/staff/employees/${encodeURIComponent(employeeNo)}`)
      .then((e) => `${e.name} (${employeeNo})`).catch(() => employeeNo));
  }
  return names.get(employeeNo);
}

export function person(employeeNo) {
  const span = h('span', {}, employeeNo || '—');
  nameOf(employeeNo).then((label) => { span.textContent = label; });
  return span;
}

export function showError(target, err) {
  const fields = Object.entries((err && err.errors) || {})
    .map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`);
  let message = err && err.message ? err.message : String(err);
  if (err && err.status === 403) message = `${t('error.forbidden')} ${message}`;
  if (err && err.status === 409) message = `${t('error.conflict')} ${message}`;
  if (err && err.status === 503) message = t('error.unavailable');
  target.textContent = [message, ...fields].join(' · ');
}

export function errorBox(err) {
  const p = h('p', { class: 'error', role: 'alert' });
  showError(p, err);
  return p;
}

// A moment from an API (UTC, ISO 8601) in the reader's own time zone: 2026-12-04 16:38:58.
export function when(iso) {
  const d = new Date(String(iso || '').replace(/(\.\d{3})\d+/, '$1')); // µs → ms for Date
  if (Number.isNaN(d.getTime())) return iso || '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} `
    + `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
