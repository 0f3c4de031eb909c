// Sign-in accounts and their role bindings (auth), for holders of auth:admin over the whole
// organisation (auth refuses anyone else): #/users lists and finds users and creates one
// linked to an employee; #/user/ID shows a user's bindings and lets the admin grant one
// (role, unit, optional first and last day — an acting head is simply a binding with an end),
// revoke one, lift a lockout, and disable or enable the account (disabling ends every
// sign-in at once). #/users/E0019 opens the list at that employee's account(s).

import { api, get, post, query, roleOrgs } from '../api.js';
import { badge, clear, facts, h, section, table, title } from '../dom.js';
import { addStrings, say, t } from '../i18n.js';
import { errorBox } from './common.js';
import { checked, formError, onSubmit } from './formkit.js';
import { foldout, unitChoices } from './orgforms.js';

addStrings({
  zh: {
    'access.nav': '用户与角色', 'access.title': '用户与角色', 'access.search': '按用户名查找',
    'access.employeeNo': '员工号', 'access.go': '查找', 'access.total': '共 {n} 个账号。',
    'access.username': '用户名', 'access.displayName': '显示名', 'access.status': '状态', 'access.locked': '已锁定',
    'access.status.active': '正常', 'access.status.disabled': '已停用',
    'access.new': '新建账号', 'access.password': '初始密码', 'access.passwordHint': '至少 10 位，不能与用户名相同或过于常见。',
    'access.linkEmployee': '关联员工号（可选）', 'access.create': '新建账号', 'access.created': '已新建账号 {username}。',
    'access.user': '账号 {username}', 'access.facts': '账号信息', 'access.bindings': '角色授权',
    'access.role': '角色', 'access.org': '机构代码（* 表示全行）', 'access.validFrom': '起始日期（可选）',
    'access.validTo': '截止日期（可选）', 'access.validHint': '含当日；代理（如代行长）即为有截止日期的授权。',
    'access.grant': '授予角色', 'access.granted': '已授予 {role}@{org}。', 'access.revoke': '撤销 {role}@{org}',
    'access.revoked': '已撤销 {role}@{org}。', 'access.unlock': '解除锁定', 'access.unlocked': '已解除锁定。',
    'access.disable': '停用账号', 'access.enable': '启用账号', 'access.nowStatus': '账号现在「{status}」。',
    'access.unit': '机构', 'access.first': '起始日', 'access.last': '截止日', 'access.always': '长期',
    'access.pickRole': '— 选择角色 —', 'access.back': '返回用户列表',
    'access.none': '没有角色授权。',
  },
  en: {
    'access.nav': 'Users & roles', 'access.title': 'Users and roles', 'access.search': 'Find by username',
    'access.employeeNo': 'Employee number', 'access.go': 'Find', 'access.total': '{n} accounts.',
    'access.username': 'Username', 'access.displayName': 'Display name', 'access.status': 'Status', 'access.locked': 'locked',
    'access.status.active': 'active', 'access.status.disabled': 'disabled',
    'access.new': 'New account', 'access.password': 'Initial password', 'access.passwordHint': 'At least 10 characters; not the username, not a common one.',
    'access.linkEmployee': 'Employee number (optional)', 'access.create': 'Create account', 'access.created': 'Created {username}.',
    'access.user': 'Account {username}', 'access.facts': 'Account', 'access.bindings': 'Role bindings',
    'access.role': 'Role', 'access.org': 'Unit code (* for the whole bank)', 'access.validFrom': 'First day (optional)',
    'access.validTo': 'Last day (optional)', 'access.validHint': 'Inclusive; an acting head is a binding with a last day.',
    'access.grant': 'Grant role', 'access.granted': 'Granted {role}@{org}.', 'access.revoke': 'Revoke {role}@{org}',
    'access.revoked': 'Revoked {role}@{org}.', 'access.unlock': 'Unlock', 'access.unlocked': 'Unlocked.',
    'access.disable': 'Disable account', 'access.enable': 'Enable account', 'access.nowStatus': 'The account is now {status}.',
    'access.unit': 'Unit', 'access.first': 'First day', 'access.last': 'Last day', 'access.always': 'open-ended',
    'access.pickRole': '— choose a role —', 'access.back': 'Back to users',
    'access.none': 'No role bindings.',
  },
});

const ta = (key, vars) => t(`access.${key}`, vars);
export const administers = () => roleOrgs('auth:admin').includes('*');
const statusBadge = (u) => [badge(u.status, ta(`status.${u.status}`)),
  u.locked ? [' ', badge('locked', ta('locked'))] : null];
const plain = (attrs = {}) => h('input', { spellcheck: 'false', autocomplete: 'off', autocapitalize: 'none', ...attrs });

export async function users(view, [employeeNo = '']) {
  const holder = h('div', { id: 'user-list' });
  const name = plain({ type: 'search' });
  const emp = plain({ value: employeeNo });
  const search = h('form', { role: 'search', class: 'card' },
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'user-q' }, ta('search')), name),
      h('div', {}, h('label', { for: 'user-emp' }, ta('employeeNo')), emp)),
    h('button', { type: 'submit' }, ta('go')));
  name.id = 'user-q';
  emp.id = 'user-emp';
  const load = async () => {
    const found = await get(`/auth/users${query({ username: name.value.trim(), employee_no: emp.value.trim(), per_page: 100 })}`);
    clear(holder, h('p', { class: 'hint' }, ta('total', { n: found.total })), found.items.length ? table(null,
      [ta('username'), ta('displayName'), ta('employeeNo'), ta('status')],
      found.items.map((u) => [h('a', { href: `#/user/${u.id}` }, u.username), u.display_name,
        u.employee_no || '—', h('span', {}, statusBadge(u))])) : null);
  };
  search.addEventListener('submit', (e) => { e.preventDefault(); load().catch((err) => clear(holder, errorBox(err))); });
  await load();
  clear(view, title(ta('title')), search, createForm(employeeNo), h('div', { class: 'card' }, holder));
}

function createForm(employeeNo) {
  const username = plain({ required: true, maxlength: '100' });
  const display = h('input', { required: true, maxlength: '200' });
  const password = h('input', { type: 'password', required: true, autocomplete: 'new-password' });
  const emp = plain({ value: employeeNo });
  const form = h('form', { novalidate: true, id: 'user-new-form' },
    h('div', { class: 'row' }, checked('user-new-username', 'username', ta('username'), username),
      checked('user-new-display', 'display_name', ta('displayName'), display)),
    checked('user-new-password', 'password', ta('password'), password, ta('passwordHint')),
    checked('user-new-employee', 'employee_no', ta('linkEmployee'), emp), formError(),
    h('button', { type: 'submit', class: 'primary' }, ta('create')));
  onSubmit(form, async () => {
    const made = await post('/auth/users', { username: username.value.trim(), password: password.value,
      display_name: display.value.trim(), employee_no: emp.value.trim() || null });
    password.value = '';
    say(ta('created', { username: made.username }));
    window.location.hash = `#/user/${made.id}`;
  });
  const box = foldout('user-new', ta('new'), form);
  box.open = Boolean(employeeNo);
  return box;
}

export async function user(view, [id]) {
  const [u, roles] = await Promise.all([get(`/auth/users/${encodeURIComponent(id)}`),
    get('/auth/roles?per_page=200')]);
  const redraw = () => user(view, [id]);
  const path = `/auth/users/${encodeURIComponent(id)}`;
  const actions = h('form', { class: 'actions', id: 'user-actions', 'aria-label': ta('facts') },
    u.locked ? h('button', { type: 'submit', value: 'unlock' }, ta('unlock')) : null,
    h('button', { type: 'submit', value: u.status === 'active' ? 'disable' : 'enable',
      class: u.status === 'active' ? 'reject' : 'approve' }, ta(u.status === 'active' ? 'disable' : 'enable')),
    formError());
  onSubmit(actions, async (button) => {
    let message;
    if (button.value === 'unlock') {
      await post(`${path}/unlock`, {});
      message = ta('unlocked');
    } else {
      const after = await api('PATCH', path, { status: button.value === 'disable' ? 'disabled' : 'active' });
      message = ta('nowStatus', { status: ta(`status.${after.status}`) });
    }
    await redraw();
    say(message); // after the redraw, as every other form: the message means the page is current
  });
  clear(view, title(ta('user', { username: u.username })),
    section(ta('facts'), facts([[ta('displayName'), u.display_name],
      [ta('employeeNo'), u.employee_no ? h('a', { href: `#/employee/${encodeURIComponent(u.employee_no)}` }, u.employee_no) : '—'],
      [ta('status'), h('span', { id: 'user-status' }, statusBadge(u))]]), actions),
    section(ta('bindings'), bindingList(u, path, redraw)),
    grantForm(roles.items, path, redraw),
    h('p', {}, h('a', { href: '#/users' }, ta('back'))));
}

function bindingList(u, path, redraw) {
  if (!u.bindings.length) return h('p', { class: 'hint' }, ta('none'));
  const form = h('form', { id: 'binding-list' }, table(null,
    [ta('role'), ta('unit'), ta('first'), ta('last'), ''],
    u.bindings.map((b) => [t(`role.${b.role}`, {}, b.role), b.path || b.org, b.valid_from || '—',
      b.valid_to || ta('always'), h('button', { type: 'submit', class: 'reject', value: String(b.id),
        'aria-label': ta('revoke', { role: b.role, org: b.org }) }, '×')])), formError());
  onSubmit(form, async (button) => {
    const b = u.bindings.find((x) => String(x.id) === button.value);
    await api('DELETE', `${path}/roles/${encodeURIComponent(button.value)}`);
    await redraw();
    say(ta('revoked', { role: b.role, org: b.org }));
  });
  return form;
}

function grantForm(roles, path, redraw) {
  const role = h('select', {}, h('option', { value: '' }, ta('pickRole')), roles.map((r) => h('option', { value: r.name }, `${t(`role.${r.name}`, {}, r.name)} (${r.name})`)));
  const org = plain({ required: true, list: 'grant-units', autocapitalize: 'characters' });
  const from = h('input', { type: 'date' });
  const to = h('input', { type: 'date' });
  const form = h('form', { novalidate: true, id: 'grant-form' },
    h('div', { class: 'row' }, checked('grant-role', 'role', ta('role'), role),
      checked('grant-org', 'org', ta('org'), org)), unitChoices('grant-units'),
    h('div', { class: 'row' }, checked('grant-from', 'valid_from', ta('validFrom'), from, ta('validHint')),
      checked('grant-to', 'valid_to', ta('validTo'), to)), formError(),
    h('button', { type: 'submit', class: 'primary' }, ta('grant')));
  onSubmit(form, async () => {
    const made = await post(`${path}/roles`, { role: role.value, org: org.value.trim(),
      valid_from: from.value || null, valid_to: to.value || null });
    await redraw();
    say(ta('granted', { role: made.role, org: made.org }));
  });
  return section(ta('grant'), form);
}
