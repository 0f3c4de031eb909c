// What every form that writes through an API shares: one submission at a time (the buttons
// are disabled while it is in flight, so a double tap never records an incident twice), and a
// problem+json answer shown where it helps — a 422's messages beside the fields they name
// (the control marked aria-invalid), a 403, 409 or anything else in the page's status region,
// which screen readers read out.

import { h } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { showError } from './common.js';

addStrings({
  zh: { 'formkit.invalid': '请按字段旁的提示修改。', 'formkit.optional': '（可选）' },
  en: { 'formkit.invalid': 'Please correct the fields as noted beside them.',
    'formkit.optional': ' (optional)' },
});

// A labelled control with a place for its own error (`data-error-for` names the API field).
export function checked(id, apiField, label, control, hint) {
  control.id = id;
  control.name = apiField;
  const error = h('p', { class: 'error field-error', id: `${id}-error`, 'data-error-for': apiField });
  const parts = [h('label', { for: id }, label), control];
  const described = [error.id];
  if (hint) {
    const hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint);
    described.unshift(hintEl.id);
    parts.push(hintEl);
  }
  control.setAttribute('aria-describedby', described.join(' '));
  parts.push(error);
  return h('div', { class: 'field', 'data-field': apiField }, parts);
}

export function clearProblems(form) {
  for (const el of form.querySelectorAll('[data-error-for]')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('.form-error');
  if (summary) summary.textContent = '';
}

// 422: each field's messages beside it (the first such control gets the focus); the rest in
// the form's own alert. Anything else: the status region.
export function showProblem(form, err) {
  const errors = (err && err.errors) || {};
  if (err && err.status === 422 && Object.keys(errors).length) {
    const unplaced = [];
    let first = null;
    for (const [key, messages] of Object.entries(errors)) {
      const slot = form.querySelector(`[data-error-for="${CSS.escape(key)}"]`);
      const text = [].concat(messages).join(' ');
      if (!slot) { unplaced.push(`${key}: ${text}`); continue; }
      slot.textContent = text;
      const control = form.querySelector(`[name="${CSS.escape(key)}"]`);
      if (control) { control.setAttribute('aria-invalid', 'true'); first = first || control; }
    }
    const summary = form.querySelector('.form-error');
    if (summary) summary.textContent = [t('formkit.invalid'), ...unplaced].join(' ');
    if (first) first.focus();
    return;
  }
  const box = h('p');
  showError(box, err);
  say(box.textContent, true);
}

// The form's own alert line, for 422 messages that name no field on it.
export function formError() {
  return h('p', { class: 'error form-error', role: 'alert' });
}

// Submit handler that runs once at a time; `action(submitter)` does the call (and redraws).
export function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.dataset.busy) return;
    form.dataset.busy = '1';
    form.setAttribute('aria-busy', 'true');
    const buttons = [...form.querySelectorAll('button')];
    buttons.forEach((b) => { b.disabled = true; });
    clearProblems(form);
    try {
      await action(event.submitter);
    } catch (err) {
      showProblem(form, err);
    } finally {
      delete form.dataset.busy;
      form.removeAttribute('aria-busy');
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

// Today in the reader's time zone, as an ISO date (the services' calendars are China's).
export function isoToday() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
