// The console's shell: login, the menu the user's roles call for, and a hash router
// (#/leave, #/inbox, #/requests/12, …) — one page, no reloads, so the access token can stay
// in memory.

import { ApiError, can, claims, get, login, logout, onSessionChange, resume } from './api.js';
import { clear, h } from './dom.js';
import { applyStatic, fadeSay, lang, say, setLang, t } from './i18n.js';
import * as access from './views/accessforms.js';
import { errorBox } from './views/common.js';
import * as hr from './views/hr.js';
import * as inbox from './views/inbox.js';
import * as incidentForms from './views/incidentforms.js';
import * as incidentPage from './views/incidentpage.js';
import * as leaveAdmin from './views/leaveadmin.js';
import * as myLeave from './views/myleave.js';
import * as perf from './views/performance.js';
import * as request from './views/request.js';
import * as signOff from './views/signoff.js';
import * as team from './views/team.js';

const approver = () => can('leave:approve') || can('leave:final-approve');
const ROUTES = [
  { path: 'leave', label: 'nav.leave', view: myLeave.render, menu: () => true },
  // Everyone linked to an employee sees their own record (and may appeal from it).
  { path: 'my-incidents', label: 'incident.mine.nav', view: incidentPage.mine,
    menu: () => Boolean(claims() && claims().emp) },
  { path: 'inbox', label: 'nav.inbox', view: inbox.render, menu: approver },
  { path: 'team', label: 'nav.team', view: team.render, menu: approver },
  { path: 'org', label: 'nav.org', view: hr.orgChart, menu: () => can('staff:read') },
  { path: 'employees', label: 'nav.employees', view: hr.employees, menu: () => can('staff:read') },
  { path: 'positions', label: 'nav.positions', view: hr.positions, menu: () => can('staff:write') },
  { path: 'policy', label: 'nav.policy', view: leaveAdmin.render,
    menu: () => can('leave:final-approve') || can('leave:policy') },
  { path: 'rules', label: 'nav.rules', view: perf.rules, menu: () => can('performance:record') },
  { path: 'incidents', label: 'nav.incidents', view: perf.incidents,
    menu: () => can('performance:read') && (can('performance:record') || can('auth:audit')) },
  { path: 'signoff', label: 'signoff.title', view: signOff.render,
    menu: () => can('performance:sign-off') },
  { path: 'users', label: 'access.nav', view: access.users, menu: access.administers },
  { path: 'requests', view: request.render },
  { path: 'record-incident', view: incidentForms.record },
  { path: 'incident', view: incidentPage.detail },
  { path: 'units', view: hr.unit },
  { path: 'employee', view: hr.employee },
  { path: 'position', view: hr.position },
  { path: 'user', view: access.user },
];

const $ = (id) => document.getElementById(id);

function parseHash() {
  const parts = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean)
    .map(decodeURIComponent);
  return { path: parts[0] || 'leave', params: parts.slice(1) };
}

function drawMenu() {
  const current = parseHash().path;
  clear($('nav'), ROUTES.filter((r) => r.menu && r.menu()).map((r) => h('a', {
    href: `#/${r.path}`, 'aria-current': r.path === current ? 'page' : null,
  }, t(r.label))));
}

let drawing = 0;
async function route() {
  if (!claims()) return;
  const { path, params } = parseHash();
  const found = ROUTES.find((r) => r.path === path) || ROUTES[0];
  drawMenu();
  fadeSay();
  const mine = ++drawing;
  $('view').setAttribute('aria-busy', 'true');
  // The page is drawn off-screen, then takes the place of #view in one step: no half-drawn
  // page, a slower earlier page never replaces a later one, and a page that redraws itself
  // (after a decision, another month) holds the element that is on screen.
  const next = h('div', { id: 'view' });
  try {
    await found.view(next, params);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && !claims()) return;
    clear(next, h('h1', { tabindex: '-1', id: 'page-title' }, t('error.title')), errorBox(err));
  }
  if (mine !== drawing) return; // the user went elsewhere meanwhile
  $('view').replaceWith(next);
  $('page-title')?.focus();
}

function signedIn(who) {
  $('login').hidden = Boolean(who);
  $('view').hidden = !who;
  $('nav').hidden = !who;
  $('logout').hidden = !who;
  $('who').hidden = !who;
  if (!who) {
    clear($('view'));
    clear($('nav'));
    return;
  }
  const roles = (who.roles || []).map((r) => `${t(`role.${r.role}`)}@${r.org}`).join(', ');
  const show = (name) => { $('who').textContent = `${name}${roles ? ` · ${roles}` : ''}`; };
  show(who.emp || who.sub);
  if (!displayName.has(who.sub)) displayName.set(who.sub, get('/auth/me').then((me) => me.display_name).catch(() => null));
  displayName.get(who.sub).then((name) => { if (name && claims() && claims().sub === who.sub) show(name); });
}

const displayName = new Map(); // user id → GET /auth/me's display name, once per page load

function drawLang() {
  const other = lang() === 'zh' ? 'en' : 'zh';
  $('lang').textContent = other === 'en' ? 'English' : '中文';
  $('lang').setAttribute('lang', other === 'en' ? 'en' : 'zh-CN');
  $('lang').setAttribute('aria-label', t('lang.switch'));
  applyStatic();
}

async function start() {
  drawLang();
  $('lang').addEventListener('click', () => {
    setLang(lang() === 'zh' ? 'en' : 'zh');
    drawLang();
    if (claims()) { signedIn(claims()); route(); }
  });
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('login-error');
    error.textContent = '';
    const button = event.submitter || event.target.querySelector('button');
    button.disabled = true;
    try {
      await login($('username').value.trim(), $('password').value);
      $('password').value = '';
      if (!window.location.hash) window.location.hash = '#/leave';
      await route();
    } catch (err) {
      error.textContent = err.status === 429 ? t('login.throttled')
        : err.status === 400 || err.status === 401 ? t('login.failed') : t('error.unavailable');
      $('password').focus();
    } finally {
      button.disabled = false;
    }
  });
  $('logout').addEventListener('click', async () => {
    await logout();
    say(t('logout.done'));
    window.location.hash = '';
    $('username').focus();
  });
  onSessionChange(signedIn);
  window.addEventListener('hashchange', route);
  if (await resume()) {
    await route();
  } else {
    signedIn(null);
    $('username').focus();
  }
}

start();
