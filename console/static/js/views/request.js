// One request: its facts, its steps and its signed trail (谁签字谁负责: every transition
// hash-chained; leave re-verifies the chain on every read and says whether it holds).
// The requester may withdraw it while pending; once approved, whoever leave allows cancels it
// wholly or from a date on (cancelleave.js), and the employee's balance shows the days back.

import { can, claims, get, post } from '../api.js';
import { clear, facts, h, section, table, title } from '../dom.js';
import { say, t, typeName } from '../i18n.js';
import { balanceView, cancelForm } from './cancelleave.js';
import { errorBox, person, showError, statusBadge, stepsList, when } from './common.js';

export async function render(view, [id]) {
  const [request, trail, types] = await Promise.all([
    get(`/leave/requests/${encodeURIComponent(id)}`),
    get(`/leave/requests/${encodeURIComponent(id)}/trail`).catch((err) => ({ error: err })),
    get('/leave/types?per_page=200'),
  ]);
  const mine = request.employee_no === claims().emp || request.filed_by === claims().sub;
  const error = h('p', { class: 'error', role: 'alert' });
  const withdraw = mine && request.status === 'pending'
    ? h('button', { type: 'button', on: { click: async () => {
      try {
        await post(`/leave/requests/${request.id}/withdraw`, {});
        await render(view, [id]);
        say(t('request.withdrawn', { id: request.id }));
      } catch (err) { showError(error, err); }
    } } }, t('request.withdraw'))
    : null;
  const typeLabel = typeName(types.items, request.type);
  const balance = ['approved', 'cancelled'].includes(request.status) && (mine || can('leave:read'))
    ? await balanceView(request, typeLabel) : null;
  clear(view,
    title(t('request.title', { id: request.id })),
    h('p', {}, h('span', { id: 'request-status' }, statusBadge(request.status))),
    section(t('request.facts'), facts([
      [t('col.employee'), person(request.employee_no)],
      [t('col.type'), typeLabel],
      [t('col.dates'), `${request.start_date} – ${request.end_date}`],
      [t('col.days'), `${request.days} (${t(`calendar.${request.calendar}`)})`],
      [t('col.reason'), request.reason],
      [t('col.standIn'), request.stand_in ? person(request.stand_in) : '—'],
      [t('col.routedDays'), request.routed_days],
    ]), withdraw, error, cancelForm(request, () => render(view, [id]))),
    balance,
    section(t('request.steps'), stepsList(request)),
    section(t('request.trail'), trailView(trail)));
}

function trailView(trail) {
  if (trail.error) return errorBox(trail.error);
  const verdict = trail.valid
    ? h('p', { class: 's-approved' }, t('trail.valid', { n: trail.rows }))
    : h('p', { class: 'error', role: 'alert' }, t('trail.broken', { at: trail.broken_at }));
  return h('div', {}, verdict, table(null,
    [t('col.seq'), t('col.at'), t('col.action'), t('col.actor'), t('col.comment')],
    trail.entries.map((e) => [e.seq, when(e.at),
      t(`action.${e.action}`, {}, e.action), e.actor_emp ? person(e.actor_emp) : e.actor,
      e.comment || ''])));
}
