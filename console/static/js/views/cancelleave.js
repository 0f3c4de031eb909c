// 销假 — cancelling approved leave from the request's page (POST /leave/requests/{id}/cancel):
// the whole of it, or from a date on (a partial cancellation of days not yet taken; the
// request stays approved with the earlier days). Leave allows it to whoever may decide the
// final step, or hr of the governing branch — the form is offered to holders of those roles
// and the server decides. The employee's balance for the request's type is shown beside it,
// so the days that came back are visible at once.

import { claims, get, post } from '../api.js';
import { clear, facts, h, section } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { checked, formError, isoToday, onSubmit } from './formkit.js';

addStrings({
  zh: {
    'cancel.title': '销假', 'cancel.scope': '范围', 'cancel.whole': '全部取消（尚未开始的请假）',
    'cancel.from': '从某日起取消（之前的天数保留）', 'cancel.fromDate': '从此日起取消',
    'cancel.fromHint': '不能早于今天；晚于首日则只取消此后的天数。', 'cancel.comment': '说明（可选）',
    'cancel.submit': '销假', 'cancel.done': '#{id} 已销假，退回 {days} 天；现在「{status}」。',
    'cancel.askApprover': '已批准的请假由终审人或管辖行人力资源部销假。',
    'cancel.balance': '{who} {year} 年「{type}」余额', 'cancel.remaining': '剩余',
  },
  en: {
    'cancel.title': 'Cancel leave', 'cancel.scope': 'What to cancel', 'cancel.whole': 'All of it (leave not yet begun)',
    'cancel.from': 'From a date on (earlier days stay)', 'cancel.fromDate': 'Cancel from',
    'cancel.fromHint': 'Not before today; after the first day only the days from it are cancelled.',
    'cancel.comment': 'Note (optional)', 'cancel.submit': 'Cancel leave',
    'cancel.done': '#{id} cancelled: {days} day(s) returned; now {status}.',
    'cancel.askApprover': 'Approved leave is cancelled by the final approver or hr of the governing branch.',
    'cancel.balance': "{who}'s {year} balance of {type}", 'cancel.remaining': 'Remaining',
  },
});

const tc = (key, vars) => t(`cancel.${key}`, vars);

// The final step's role, hr, or admin (leave checks the unit and the requester itself).
function mayOffer(request) {
  const roles = (claims() && claims().roles) || [];
  const final = (request.steps || []).find((s) => s.final);
  return roles.some((r) => r.role === 'admin' || r.role === 'hr' || (final && r.role === final.role));
}

export function cancelForm(request, redraw) {
  if (request.status !== 'approved') return null;
  const mine = request.employee_no === claims().emp;
  if (!mayOffer(request)) return mine ? h('p', { class: 'hint' }, tc('askApprover')) : null;
  const scope = h('select', {}, h('option', { value: 'whole' }, tc('whole')),
    h('option', { value: 'from' }, tc('from')));
  const start = request.start_date > isoToday() ? request.start_date : isoToday();
  const from = h('input', { type: 'date', value: start, min: isoToday(), max: request.end_date });
  const comment = h('textarea', { rows: '2', maxlength: '1000' });
  const fromField = checked('cancel-from', 'from_date', tc('fromDate'), from, tc('fromHint'));
  fromField.hidden = true;
  scope.addEventListener('change', () => { fromField.hidden = scope.value !== 'from'; });
  const form = h('form', { novalidate: true, id: 'cancel-form', 'aria-labelledby': 'cancel-title' },
    h('h3', { id: 'cancel-title' }, tc('title')),
    checked('cancel-scope', 'scope', tc('scope'), scope), fromField,
    checked('cancel-comment', 'comment', tc('comment'), comment), formError(),
    h('button', { type: 'submit', class: 'reject' }, tc('submit')));
  return onSubmit(form, async () => {
    const body = {};
    if (scope.value === 'from') body.from_date = from.value;
    if (comment.value.trim()) body.comment = comment.value.trim();
    const after = await post(`/leave/requests/${request.id}/cancel`, body,
      { headers: { 'Idempotency-Key': crypto.randomUUID() } });
    const back = Math.round((Number(request.days) - Number(after.days)) * 10) / 10;
    await redraw();
    say(tc('done', { id: after.id, days: after.status === 'cancelled' ? request.days : back,
      status: t(`status.${after.status}`) }));
  });
}

// The employee's balance of the request's type, for the year it starts in (when readable).
export async function balanceView(request, typeLabel) {
  const year = request.start_date.slice(0, 4);
  try {
    const found = await get(`/leave/balances/${encodeURIComponent(request.employee_no)}?year=${year}`);
    const row = found.balances.find((b) => b.type === request.type);
    if (!row) return null;
    return section(tc('balance', { who: request.employee_no, year, type: typeLabel }),
      clear(h('div', { id: 'cancel-balance' }), facts([
        [t('col.entitled'), row.entitled], [t('col.used'), row.used], [t('col.pending'), row.pending],
        [tc('remaining'), h('strong', { id: 'balance-remaining' }, String(row.remaining))]])));
  } catch {
    return null; // not readable by this user: nothing to show
  }
}
