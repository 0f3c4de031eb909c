// HR: the leave policy in force (versioned data; a new version is published as a whole
// document, checked strictly by leave) and the working calendar with HR's overrides.
// Publishing and overrides need `leave:policy` over the whole organisation: leave answers
// 403 to anyone else, and the page shows that answer as it is.

import { api, get, query } from '../api.js';
import { clear, field, h, section, table, title } from '../dom.js';
import { say, t } from '../i18n.js';
import { showError } from './common.js';

export async function render(view, [yearText]) {
  const year = Number(yearText) || new Date().getFullYear();
  const [policy, calendar] = await Promise.all([
    get('/leave/policy'), get(`/leave/calendar${query({ year })}`)]);
  clear(view, title(t('policy.title')),
    section(t('policy.current', { version: policy.version }), policyEditor(view, policy)),
    section(t('policy.calendar', { year }), calendarView(view, calendar, year)));
}

function policyEditor(view, policy) {
  const text = h('textarea', { rows: '16', spellcheck: 'false', class: 'doc' });
  text.value = JSON.stringify(policy.document, null, 2);
  const note = h('input', { maxlength: '500' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { novalidate: true },
    h('p', { class: 'hint' }, t('policy.meta', { by: policy.created_by, note: policy.note || '—' })),
    field('policy-document', t('policy.document'), text, t('policy.documentHint')),
    field('policy-note', t('policy.note'), note), error,
    h('button', { type: 'submit', class: 'primary' }, t('policy.publish')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    let document_;
    try { document_ = JSON.parse(text.value); } catch {
      error.textContent = t('policy.badJson');
      return;
    }
    try {
      const made = await api('PUT', '/leave/policy', { document: document_, note: note.value });
      await render(view, []);
      say(t('policy.published', { version: made.version }));
    } catch (err) { showError(error, err); }
  });
  return form;
}

function calendarView(view, calendar, year) {
  const day = h('input', { type: 'date', min: `${year}-01-01`, max: `${year}-12-31`, required: true });
  const working = h('select', {}, h('option', { value: 'false' }, t('policy.off')),
    h('option', { value: 'true' }, t('policy.working')));
  const note = h('input', { maxlength: '200' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'row' }, field('override-day', t('policy.day'), day),
      field('override-working', t('policy.kind'), working)),
    field('override-note', t('policy.note'), note), error,
    h('button', { type: 'submit', class: 'primary' }, t('policy.setOverride')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      const done = await api('PUT', `/leave/calendar/overrides/${day.value}`,
        { working: working.value === 'true', note: note.value });
      await render(view, [String(year)]);
      say(t('policy.overrideSet', { day: done.date, n: done.recounted.length }));
    } catch (err) { showError(error, err); }
  });
  const remove = (date) => async () => {
    try {
      await api('DELETE', `/leave/calendar/overrides/${date}`);
      await render(view, [String(year)]);
      say(t('policy.overrideRemoved', { day: date }));
    } catch (err) { showError(error, err); }
  };
  return h('div', {},
    h('p', {}, t('policy.summary', { kind: t(`calendar.${calendar.calendar}`), n: calendar.working_days })),
    h('nav', { class: 'actions', 'aria-label': t('policy.years') },
      h('a', { href: `#/policy/${year - 1}` }, `‹ ${year - 1}`),
      h('a', { href: `#/policy/${year + 1}` }, `${year + 1} ›`)),
    h('h3', {}, t('policy.overrides')),
    calendar.overrides.length ? table(null, [t('policy.day'), t('policy.kind'), t('policy.note'), ''],
      calendar.overrides.map((o) => [o.date, o.working ? t('policy.working') : t('policy.off'),
        o.note, h('button', { type: 'button', on: { click: remove(o.date) } }, t('policy.remove'))]))
      : h('p', { class: 'hint' }, t('none')),
    form,
    h('details', {}, h('summary', {}, t('policy.exceptions', { n: calendar.exceptions.length })),
      table(null, [t('policy.day'), t('policy.kind'), t('policy.source'), t('policy.note')],
        calendar.exceptions.map((e) => [e.date, e.working ? t('policy.working') : t('policy.off'),
          e.source, e.note]))));
}
