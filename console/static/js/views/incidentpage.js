// One incident (#/incident/12): its facts, its signed trail, and the one form the reader may
// use on it now — the four-eyes review (confirm/dismiss) by someone who is neither its
// recorder nor its subject; the subject's appeal (申诉) within the window; the appeal's
// decision one level up (hr of the governing branch). The buttons are the server's own
// `actions` for this reader at the moment of the read; the server still decides when one is
// pressed, and a refusal (someone else decided meanwhile) is shown in the status region.
// Also: the incidents awaiting the reader's decision, and the subject's own incidents.

import { claims, get, post, query } from '../api.js';
import { clear, facts, h, section, table, title } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { errorBox, person, statusBadge, when } from './common.js';
import { checked, formError, onSubmit } from './formkit.js';

addStrings({
  zh: {
    'incident.page.title': '违规记录 #{id}', 'incident.page.facts': '记录', 'incident.page.trail': '签字轨迹',
    'incident.page.unit': '机构', 'incident.page.rule': '条款（版本）', 'incident.page.severity': '情节',
    'incident.page.description': '事实经过', 'incident.page.recordedBy': '登记人',
    'incident.page.decidedBy': '决定人', 'incident.page.deadline': '申诉截止', 'incident.page.overCap': '超出登记人权限额度（由管辖行人力资源部确认）',
    'incident.page.ownRecord': '此记录由你登记，须由他人确认或撤销（四眼原则）。',
    'incident.page.aboutYou': '此记录与你本人有关，你不能决定它。',
    'incident.page.valid': '轨迹完整，{n} 步，校验通过。', 'incident.page.broken': '轨迹在第 {at} 步校验失败！',
    'incident.review.title': '确认或撤销', 'incident.review.comment': '意见（可选）',
    'incident.review.confirm': '确认违规', 'incident.review.dismiss': '不予确认',
    'incident.review.done': '#{id} 现在「{status}」。',
    'incident.appeal.title': '申诉', 'incident.appeal.reason': '申诉理由', 'incident.appeal.submit': '提出申诉',
    'incident.appeal.window': '可在 {date} 前（含）申诉。',
    'incident.appeal.decide': '申诉决定', 'incident.appeal.uphold': '维持原处理', 'incident.appeal.overturn': '改判撤销',
    'incident.await.title': '待我决定（{n}）', 'incident.await.none': '没有待你决定的违规记录。',
    'incident.await.more': '仅列出最新的 {shown} 条。',
    'incident.await.open': '打开 #{id}', 'incident.mine.title': '我的违规记录与考核', 'incident.mine.nav': '我的考核',
    'incident.mine.none': '你没有违规记录。',
  },
  en: {
    'incident.page.title': 'Incident #{id}', 'incident.page.facts': 'Record', 'incident.page.trail': 'Signed trail',
    'incident.page.unit': 'Unit', 'incident.page.rule': 'Rule (version)', 'incident.page.severity': 'Severity',
    'incident.page.description': 'What happened', 'incident.page.recordedBy': 'Recorded by',
    'incident.page.decidedBy': 'Decided by', 'incident.page.deadline': 'Appeal until', 'incident.page.overCap': "above the recorder's cap (hr of the governing branch confirms)",
    'incident.page.ownRecord': 'You recorded this: someone else confirms or dismisses it (four-eyes).',
    'incident.page.aboutYou': 'This is about you: you cannot decide it.',
    'incident.page.valid': 'Trail intact: {n} steps verified.', 'incident.page.broken': 'The trail fails at step {at}!',
    'incident.review.title': 'Confirm or dismiss', 'incident.review.comment': 'Comment (optional)',
    'incident.review.confirm': 'Confirm', 'incident.review.dismiss': 'Dismiss',
    'incident.review.done': '#{id} is now {status}.',
    'incident.appeal.title': 'Appeal', 'incident.appeal.reason': 'Why you appeal', 'incident.appeal.submit': 'Appeal',
    'incident.appeal.window': 'You may appeal until {date} (inclusive).',
    'incident.appeal.decide': 'Decide the appeal', 'incident.appeal.uphold': 'Uphold', 'incident.appeal.overturn': 'Overturn',
    'incident.await.title': 'Awaiting my decision ({n})', 'incident.await.none': 'No incident awaits your decision.',
    'incident.await.more': 'Showing the newest {shown}.',
    'incident.await.open': 'Open #{id}', 'incident.mine.title': 'My incidents and scorecard', 'incident.mine.nav': 'My record',
    'incident.mine.none': 'You have no incidents.',
  },
});

const tp = (key, vars) => t(`incident.${key}`, vars);
const me = () => claims() || {};
const recordedByMe = (i) => i.recorded_by === me().sub || (me().emp && i.recorded_by_emp === me().emp);
const aboutMe = (i) => Boolean(me().emp) && i.employee_no === me().emp;

// What the server says the caller may send now (`actions` on the incident's read): the page
// shows exactly those buttons, never a guess of its own.
const offers = (i, ...verbs) => verbs.filter((v) => (i.actions || []).includes(v));

function decisionForm(view, incident, { path, heading, choices, comment, required = false, hint }) {
  const text = h('textarea', { rows: '2', maxlength: '4000', required });
  const apiField = required ? 'reason' : 'comment';
  const form = h('form', { novalidate: true, class: 'decide', 'aria-label': heading },
    h('h3', {}, heading), hint ? h('p', { class: 'hint' }, hint) : null,
    checked(`incident-${apiField}`, apiField, comment, text), formError(),
    h('div', { class: 'actions' }, choices.map(([value, label, cls]) => h('button', {
      type: 'submit', value, class: cls }, label))));
  return onSubmit(form, async (submitter) => {
    const body = required ? { reason: text.value.trim() } : { decision: submitter.value };
    if (!required && text.value.trim()) body.comment = text.value.trim();
    const after = await post(`/performance/incidents/${incident.id}${path}`, body);
    await detail(view, [String(after.id)]);
    say(tp('review.done', { id: after.id, status: t(`status.${after.status}`) }));
    document.getElementById('page-title')?.focus();
  });
}

function actions(view, i) {
  const review = offers(i, 'confirm', 'dismiss');
  if (review.length) {
    const labels = { confirm: [tp('review.confirm'), 'approve'], dismiss: [tp('review.dismiss'), 'reject'] };
    return decisionForm(view, i, { path: '/decision', heading: tp('review.title'),
      comment: tp('review.comment'), choices: review.map((v) => [v, ...labels[v]]) });
  }
  if (offers(i, 'appeal').length) {
    return decisionForm(view, i, { path: '/appeal', heading: tp('appeal.title'), required: true,
      comment: tp('appeal.reason'), hint: tp('appeal.window', { date: i.appeal_deadline }),
      choices: [['appeal', tp('appeal.submit'), 'primary']] });
  }
  const appeal = offers(i, 'uphold', 'overturn');
  if (appeal.length) {
    const labels = { uphold: [tp('appeal.uphold'), 'approve'], overturn: [tp('appeal.overturn'), 'reject'] };
    return decisionForm(view, i, { path: '/appeal/decision', heading: tp('appeal.decide'),
      comment: tp('review.comment'), choices: appeal.map((v) => [v, ...labels[v]]) });
  }
  if (i.status === 'recorded' && recordedByMe(i)) return h('p', { class: 'hint' }, tp('page.ownRecord'));
  if (i.status === 'recorded' && aboutMe(i)) return h('p', { class: 'hint' }, tp('page.aboutYou'));
  return null;
}

export async function detail(view, [id]) {
  const [i, trail] = await Promise.all([
    get(`/performance/incidents/${encodeURIComponent(id)}`),
    get(`/performance/incidents/${encodeURIComponent(id)}/trail`).catch((err) => ({ error: err })),
  ]);
  const amount = i.deduction_amount ?? '—';
  clear(view, title(tp('page.title', { id: i.id })),
    h('p', {}, h('span', { id: 'incident-status' }, statusBadge(i.status))),
    section(tp('page.facts'), facts([
      [t('col.employee'), i.employee_name ? `${i.employee_name} (${i.employee_no})` : person(i.employee_no)],
      [tp('page.unit'), i.unit],
      [tp('page.rule'), `${i.rule} (v${i.rule_version})`],
      [t('incidents.occurred'), i.occurred_on],
      [tp('page.severity'), t(`incident.form.severity.${i.severity}`, {}, i.severity)],
      [t('rules.points'), i.points ?? '—'],
      [t('incidents.amount'), i.over_cap ? `${amount} — ${tp('page.overCap')}` : amount],
      [tp('page.description'), i.description],
      [tp('page.recordedBy'), i.recorded_by_emp ? person(i.recorded_by_emp) : i.recorded_by],
      [tp('page.decidedBy'), decider(i, trail)],
      [tp('page.deadline'), i.appeal_deadline || undefined],
    ]), actions(view, i)),
    section(tp('page.trail'), trailView(trail)));
}

// Who decided, and when: the person (from the signed trail's step by that account, which names
// the employee) rather than only the account or only the time.
function decider(i, trail) {
  if (!i.decided_by) return undefined;
  const step = (trail.steps || []).filter((s) => s.actor === i.decided_by && s.actor_emp).pop();
  const who = step ? person(step.actor_emp) : i.decided_by;
  return i.decided_at ? [who, ` · ${when(i.decided_at)}`] : who;
}

function trailView(trail) {
  if (trail.error) return errorBox(trail.error);
  const verdict = trail.valid ? h('p', { class: 's-approved' }, tp('page.valid', { n: trail.steps.length }))
    : h('p', { class: 'error', role: 'alert' }, tp('page.broken', { at: trail.broken_at }));
  return h('div', {}, verdict, table(null,
    [t('col.seq'), t('col.at'), t('col.action'), t('col.actor'), t('col.comment')],
    trail.steps.map((s) => [s.seq, when(s.at), t(`status.${s.to_status}`, {}, s.action),
      s.actor_emp ? person(s.actor_emp) : s.actor, s.comment || ''])));
}

function linkedTable(items) {
  if (!items.length) return null;
  return table(null, [t('col.id'), t('col.employee'), t('incidents.rule'), t('incidents.occurred'),
    t('incidents.amount'), t('col.status')],
  items.map((i) => [h('a', { href: `#/incident/${i.id}`, 'aria-label': tp('await.open', { id: i.id }) }, `#${i.id}`),
    i.employee_name ? `${i.employee_name} (${i.employee_no})` : person(i.employee_no), i.rule,
    i.occurred_on, i.deduction_amount ?? '—', statusBadge(i.status)]));
}

// What awaits the reader's decision: the server keeps only what its decision rules let the
// reader decide now (awaiting=me), so the list and the buttons never disagree; one page, the
// server's total in the title.
export async function awaiting() {
  const found = await get(`/performance/incidents${query({ awaiting: 'me', per_page: 200 })}`);
  const more = found.total > found.items.length
    ? h('p', { class: 'hint' }, tp('await.more', { shown: found.items.length })) : null;
  return h('section', { class: 'card', id: 'awaiting' }, h('h2', {}, tp('await.title', { n: found.total })),
    linkedTable(found.items) || h('p', { class: 'hint' }, tp('await.none')), more);
}

// The subject's own incidents (to appeal one), with this year's scorecard figures.
export async function mine(view) {
  const emp = me().emp;
  const year = String(new Date().getFullYear());
  const [found, card] = emp ? await Promise.all([
    get(`/performance/incidents${query({ employee_no: emp, per_page: 200 })}`),
    get(`/performance/scorecards/${encodeURIComponent(emp)}${query({ period: year })}`).catch(() => null),
  ]) : [{ items: [], total: 0 }, null];
  clear(view, title(tp('mine.title')),
    card ? section(`${t('score.title')} ${year}`, facts([
      [t('score.points'), card.points_deducted], [t('score.bonus'), card.bonus_deducted],
      [t('score.excellence'), card.excellence_eligible ? t('yes') : t('no')]])) : null,
    section(t('incidents.list', { n: found.total }),
      linkedTable(found.items) || h('p', { class: 'hint' }, tp('mine.none'))));
}
