// 待我审批 — approvers: what awaits my decision (GET /leave/approvals), one tap to approve
// or reject with an optional comment; each request links to its signed trail.

import { get, post, query } from '../api.js';
import { clear, facts, h, title } from '../dom.js';
import { say, t, typeName } from '../i18n.js';
import { currentStep, person, showError, stepsList } from './common.js';

export async function render(view) {
  const [inbox, types] = await Promise.all([
    get(`/leave/approvals${query({ per_page: 100 })}`),
    get('/leave/types?per_page=200'),
  ]);
  clear(view, title(t('inbox.title')),
    h('p', { class: 'hint' }, t('inbox.count', { n: inbox.total })),
    inbox.items.length
      ? h('ul', { class: 'cards' }, inbox.items.map((r) => card(r, types.items, view)))
      : h('p', {}, t('inbox.empty')));
}

function card(request, types, view) {
  const comment = h('textarea', { id: `comment-${request.id}`, maxlength: '1000', rows: '2' });
  const error = h('p', { class: 'error', role: 'alert' });
  const step = (request.steps || []).find((s) => s.status === 'pending');
  const decide = (decision) => async (event) => {
    const buttons = event.currentTarget.parentElement.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    error.textContent = '';
    try {
      const body = { decision, version: request.version };
      if (comment.value.trim()) body.comment = comment.value.trim();
      const after = await post(`/leave/requests/${request.id}/decision`, body,
        { headers: { 'Idempotency-Key': crypto.randomUUID() } });
      await render(view); // then say it: the status means the page shows the change
      say(t(`inbox.done.${decision}`, { id: request.id, status: t(`status.${after.status}`) }));
      document.getElementById('page-title')?.focus();
    } catch (err) {
      showError(error, err);
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  const heading = `#${request.id} · ${typeName(types, request.type)} · ${request.days} ${t('unit.days')}`;
  return h('li', { class: 'card', 'aria-labelledby': `req-${request.id}` },
    h('h2', { id: `req-${request.id}` }, heading),
    facts([
      [t('col.employee'), person(request.employee_no)],
      [t('col.dates'), `${request.start_date} – ${request.end_date}`],
      [t('col.reason'), request.reason],
      [t('col.standIn'), request.stand_in ? person(request.stand_in) : '—'],
      [t('col.step'), step && !step.final ? h('strong', {}, currentStep(request)) : currentStep(request)],
    ]),
    h('details', {}, h('summary', {}, t('inbox.route')), stepsList(request)),
    h('label', { for: comment.id }, t('inbox.comment')), comment, error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'approve', on: { click: decide('approve') },
        'aria-describedby': `req-${request.id}` }, t('inbox.approve')),
      h('button', { type: 'button', class: 'reject', on: { click: decide('reject') },
        'aria-describedby': `req-${request.id}` }, t('inbox.reject'))),
    h('p', {}, h('a', { href: `#/requests/${request.id}` }, t('inbox.trail'))));
}
