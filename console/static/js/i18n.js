// Two languages: 中文 (default, the bank's working language) and English. The choice is
// kept in localStorage (it is not a secret) and set on <html lang> for screen readers.

const KEY = 'hr.console.lang';

const zh = {
  skip: '跳到正文', brand: '人事平台', 'nav.label': '主菜单', logout: '退出',
  'lang.switch': 'Switch to English',
  'login.title': '登录', 'login.username': '用户名', 'login.password': '密码', 'login.submit': '登录',
  'login.failed': '用户名或密码错误。', 'login.throttled': '尝试次数过多，请稍后再试。',
  'logout.done': '已退出登录。',
  'nav.leave': '我的请假', 'nav.inbox': '待我审批', 'nav.team': '团队日历', 'nav.org': '组织架构',
  'nav.employees': '员工', 'nav.positions': '岗位职责', 'nav.policy': '请假规则与日历',
  'nav.rules': '规章', 'nav.incidents': '违规积分与考核',
  none: '暂无。', yes: '是', no: '否', 'unit.days': '天', weekdays: '一,二,三,四,五,六,日',
  'error.title': '出错了', 'error.forbidden': '无权操作：', 'error.conflict': '冲突：',
  'error.unavailable': '服务暂时不可用，请稍后再试。',
  'mine.title': '我的请假', 'mine.new': '新的请假申请', 'mine.calendar': '我的请假日历',
  'mine.balance': '{year} 年假期余额', 'mine.requests': '我的申请', 'mine.covering': '我顶岗的请假',
  'mine.noEmployee': '此账号未关联员工，无法请假。',
  'month.prev': '上月', 'month.next': '下月', 'month.off': '休息日',
  'col.type': '假别', 'col.entitled': '应享', 'col.used': '已休', 'col.pending': '审批中',
  'col.remaining': '剩余', 'col.id': '编号', 'col.dates': '日期', 'col.days': '天数',
  'col.status': '状态', 'col.step': '当前环节', 'col.employee': '员工', 'col.reason': '事由',
  'col.standIn': '顶岗人', 'col.routedDays': '审批计天数（含相连申请）', 'col.seq': '序号',
  'col.at': '时间', 'col.action': '动作', 'col.actor': '签字人', 'col.comment': '意见',
  'col.day': '日期', 'col.code': '代码', 'col.unitType': '机构类型', 'col.path': '路径',
  'col.employeeNo': '员工号', 'col.name': '姓名', 'col.unit': '机构', 'col.position': '岗位',
  'col.grade': '层级', 'col.manager': '直接上级', 'col.hired': '入职日期', 'col.outlet': '网点',
  'col.branch': '管辖行',
  'form.type': '假别', 'form.start': '开始日期', 'form.end': '结束日期',
  'form.startHalf': '第一天', 'form.endHalf': '最后一天', 'form.fullDay': '全天',
  'form.startPm': '下午开始', 'form.endAm': '上午结束', 'form.reason': '事由',
  'form.standInRequired': '本岗位不得空岗：必须指定顶岗人。',
  'form.standInOptional': '可选。', 'form.pick': '选择假别和日期后显示天数与审批路径。',
  'form.count': '共 {days} 个{unit}', 'form.workingDays': '工作日', 'form.calendarDays': '自然日',
  'form.quote': '{count} · 审批路径：{route}',
  'form.submit': '提交申请', 'form.incomplete': '请填写日期和事由。',
  'form.filed': '申请 #{id} 已提交（{days} 天）。',
  'status.pending': '审批中', 'status.approved': '已批准', 'status.rejected': '已驳回',
  'status.withdrawn': '已撤回', 'status.cancelled': '已销假', 'status.waiting': '待前一环节',
  'status.skipped': '已跳过', 'status.recorded': '已登记', 'status.confirmed': '已确认',
  'status.dismissed': '已撤销', 'status.appealed': '申诉中', 'status.upheld': '维持',
  'status.overturned': '已改判',
  'step.final': '终审', 'step.review': '初审', 'step.by': '签字：{who}',
  'role.admin': '管理员', 'role.hr': '人力资源', 'role.branch_head': '支行行长',
  'role.dept_manager': '部门经理', 'role.employee': '员工', 'role.auditor': '审计',
  'inbox.title': '待我审批', 'inbox.count': '共 {n} 件待审批。', 'inbox.empty': '没有待审批的申请。',
  'inbox.route': '审批环节', 'inbox.comment': '审批意见（可选）', 'inbox.approve': '批准',
  'inbox.reject': '驳回', 'inbox.trail': '查看签字轨迹',
  'inbox.done.approve': '已批准 #{id}：现在「{status}」。', 'inbox.done.reject': '已驳回 #{id}。',
  'request.title': '请假申请 #{id}', 'request.facts': '申请信息', 'request.steps': '审批环节',
  'request.trail': '签字轨迹', 'request.withdraw': '撤回申请', 'request.withdrawn': '已撤回 #{id}。',
  'trail.valid': '轨迹完整，{n} 条记录，校验通过。', 'trail.broken': '轨迹校验失败（第 {at} 条）！',
  'action.submit': '提交', 'action.approve': '批准', 'action.reject': '驳回', 'action.withdraw': '撤回',
  'action.cancel': '销假', 'action.recount': '重新计天',
  'calendar.official': '法定日历', 'calendar.provisional': '暂定日历',
  'team.title': '团队日历', 'team.away': '休假人员', 'team.count': '本月 {n} 人请假。',
  'team.nobody': '本月无人请假。', 'team.caption': '{month} 休假与顶岗',
  'org.unit': '机构信息', 'org.chart': '组织架构图', 'org.chartHint': '点击（或用 Tab 与回车）打开一个机构。',
  'org.openUnit': '打开机构', 'org.parent': '上级机构', 'org.people': '本机构员工（{n}）',
  'unitType.head_office': '总行', 'unitType.branch': '分行', 'unitType.sub_branch': '支行',
  'unitType.outlet': '网点', 'unitType.department': '部门',
  'grade.head': '行领导', 'grade.mid': '中层', 'grade.staff': '员工',
  'empStatus.active': '在职', 'empStatus.suspended': '停职', 'empStatus.left': '离职',
  'employees.search': '按姓名或员工号查找', 'employees.go': '查找', 'employees.total': '共 {n} 人。',
  'employees.record': '员工档案', 'employees.back': '返回员工列表',
  'positions.mustCover': '不得空岗', 'positions.duties': '岗位职责', 'positions.facts': '岗位信息',
  'positions.unitTypes': '适用机构', 'positions.version': '版本', 'positions.source': '来源',
  'policy.title': '请假规则与工作日历', 'policy.current': '现行规则（第 {version} 版）',
  'policy.meta': '发布人 {by}；说明：{note}', 'policy.document': '规则文档（JSON）',
  'policy.documentHint': '整份发布为新版本；已提交的申请按原版本审批。', 'policy.note': '说明',
  'policy.publish': '发布新版本', 'policy.badJson': '不是有效的 JSON。',
  'policy.published': '已发布第 {version} 版。', 'policy.calendar': '{year} 年工作日历',
  'policy.summary': '{kind}，共 {n} 个工作日。', 'policy.years': '年份', 'policy.overrides': '人力资源调整',
  'policy.day': '日期', 'policy.kind': '类型', 'policy.source': '依据', 'policy.working': '工作日',
  'policy.off': '休息日', 'policy.setOverride': '设置调整', 'policy.remove': '删除',
  'policy.overrideSet': '{day} 已调整，{n} 件审批中的申请已重新计天。',
  'policy.overrideRemoved': '{day} 的调整已删除。', 'policy.exceptions': '与周一至周五不同的日子（{n}）',
  'rules.total': '共 {n} 条。', 'rules.book': '规章制度', 'rules.allBooks': '全部', 'rules.category': '类别', 'rules.title': '条款', 'rules.points': '积分',
  'rules.range': '扣罚区间（元）', 'rules.consequence': '后果',
  'consequence.disqualification': '取消资格', 'consequence.no_excellence': '不得评优',
  'score.title': '员工考核卡', 'score.period': '期间', 'score.periodHint': 'YYYY、YYYY-Qn 或 YYYY-MM',
  'score.show': '查看', 'score.points': '扣分', 'score.bonus': '扣罚绩效（元）',
  'score.excellence': '可评优', 'score.disqualified': '已取消资格', 'score.incidents': '计入的违规',
  'score.chart': '{unit} {period} 每月积分', 'score.chartAlt': '{unit} 在 {period} 每月违规积分图',
  'incidents.list': '违规记录（{n}）', 'incidents.rule': '条款', 'incidents.occurred': '发生日期',
  'incidents.amount': '扣罚（元）',
};

const en = {
  skip: 'Skip to content', brand: 'HR platform', 'nav.label': 'Main menu', logout: 'Log out',
  'lang.switch': '切换到中文',
  'login.title': 'Log in', 'login.username': 'Username', 'login.password': 'Password', 'login.submit': 'Log in',
  'login.failed': 'Wrong username or password.', 'login.throttled': 'Too many attempts; try again later.',
  'logout.done': 'You are logged out.',
  'nav.leave': 'My leave', 'nav.inbox': 'Approvals', 'nav.team': 'Team calendar', 'nav.org': 'Org chart',
  'nav.employees': 'Employees', 'nav.positions': 'Positions', 'nav.policy': 'Leave policy & calendar',
  'nav.rules': 'Rulebook', 'nav.incidents': 'Incidents & scorecards',
  none: 'None.', yes: 'yes', no: 'no', 'unit.days': 'days', weekdays: 'Mo,Tu,We,Th,Fr,Sa,Su',
  'error.title': 'Something went wrong', 'error.forbidden': 'Not allowed:', 'error.conflict': 'Conflict:',
  'error.unavailable': 'A service is unavailable; try again shortly.',
  'mine.title': 'My leave', 'mine.new': 'New leave request', 'mine.calendar': 'My calendar',
  'mine.balance': 'Balance {year}', 'mine.requests': 'My requests',
  'mine.covering': 'Leave I stand in for',
  'mine.noEmployee': 'This account is not linked to an employee: it cannot file leave.',
  'month.prev': 'Previous', 'month.next': 'Next', 'month.off': 'day off',
  'col.type': 'Type', 'col.entitled': 'Entitled', 'col.used': 'Used', 'col.pending': 'Pending',
  'col.remaining': 'Remaining', 'col.id': 'No.', 'col.dates': 'Dates', 'col.days': 'Days',
  'col.status': 'Status', 'col.step': 'Waiting at', 'col.employee': 'Employee', 'col.reason': 'Reason',
  'col.standIn': 'Stand-in', 'col.routedDays': 'Days routed (adjoining requests included)',
  'col.seq': '#', 'col.at': 'When', 'col.action': 'Action', 'col.actor': 'Signed by',
  'col.comment': 'Comment', 'col.day': 'Day', 'col.code': 'Code', 'col.unitType': 'Unit type',
  'col.path': 'Path', 'col.employeeNo': 'Employee no.', 'col.name': 'Name', 'col.unit': 'Unit',
  'col.position': 'Position', 'col.grade': 'Grade', 'col.manager': 'Manager', 'col.hired': 'Hired',
  'col.outlet': 'Outlet (网点)', 'col.branch': 'Governing branch',
  'form.type': 'Leave type', 'form.start': 'First day', 'form.end': 'Last day',
  'form.startHalf': 'First day', 'form.endHalf': 'Last day', 'form.fullDay': 'Whole day',
  'form.startPm': 'From noon', 'form.endAm': 'Until noon', 'form.reason': 'Reason',
  'form.standInRequired': 'Your post must be covered: name a stand-in.',
  'form.standInOptional': 'Optional.', 'form.pick': 'Pick a type and dates to see the days and the route.',
  'form.count': '{days} {unit}', 'form.workingDays': 'working days', 'form.calendarDays': 'calendar days',
  'form.quote': '{count} · route: {route}',
  'form.submit': 'File request', 'form.incomplete': 'Fill in the dates and the reason.',
  'form.filed': 'Request #{id} filed ({days} days).',
  'status.pending': 'pending', 'status.approved': 'approved', 'status.rejected': 'rejected',
  'status.withdrawn': 'withdrawn', 'status.cancelled': 'cancelled', 'status.waiting': 'waiting',
  'status.skipped': 'skipped', 'status.recorded': 'recorded', 'status.confirmed': 'confirmed',
  'status.dismissed': 'dismissed', 'status.appealed': 'appealed', 'status.upheld': 'upheld',
  'status.overturned': 'overturned',
  'step.final': 'final', 'step.review': 'review', 'step.by': 'signed by {who}',
  'role.admin': 'admin', 'role.hr': 'HR', 'role.branch_head': 'branch head',
  'role.dept_manager': 'department manager', 'role.employee': 'employee', 'role.auditor': 'auditor',
  'inbox.title': 'Awaiting my decision', 'inbox.count': '{n} awaiting a decision.',
  'inbox.empty': 'Nothing awaits your decision.', 'inbox.route': 'Steps',
  'inbox.comment': 'Comment (optional)', 'inbox.approve': 'Approve', 'inbox.reject': 'Reject',
  'inbox.trail': 'Signed trail',
  'inbox.done.approve': 'Approved #{id}: now {status}.', 'inbox.done.reject': 'Rejected #{id}.',
  'request.title': 'Leave request #{id}', 'request.facts': 'Request', 'request.steps': 'Steps',
  'request.trail': 'Signed trail', 'request.withdraw': 'Withdraw', 'request.withdrawn': 'Withdrew #{id}.',
  'trail.valid': 'The trail holds: {n} rows, verified.', 'trail.broken': 'The trail is broken at row {at}!',
  'action.submit': 'filed', 'action.approve': 'approved', 'action.reject': 'rejected',
  'action.withdraw': 'withdrawn', 'action.cancel': 'cancelled', 'action.recount': 'recounted',
  'calendar.official': 'official calendar', 'calendar.provisional': 'provisional calendar',
  'team.title': 'Team calendar', 'team.away': 'Away', 'team.count': '{n} people away this month.',
  'team.nobody': 'Nobody is away this month.', 'team.caption': 'Away and stand-ins, {month}',
  'org.unit': 'Unit', 'org.chart': 'Org chart', 'org.chartHint': 'Click a unit (or Tab and Enter) to open it.',
  'org.openUnit': 'Open unit', 'org.parent': 'Parent unit', 'org.people': 'People in this unit ({n})',
  'unitType.head_office': 'head office', 'unitType.branch': 'branch', 'unitType.sub_branch': 'sub-branch',
  'unitType.outlet': 'outlet', 'unitType.department': 'department',
  'grade.head': 'head', 'grade.mid': 'mid-level', 'grade.staff': 'staff',
  'empStatus.active': 'active', 'empStatus.suspended': 'suspended', 'empStatus.left': 'left',
  'employees.search': 'Find by name or number', 'employees.go': 'Find', 'employees.total': '{n} people.',
  'employees.record': 'Record', 'employees.back': 'Back to employees',
  'positions.mustCover': 'Must be covered', 'positions.duties': 'Duties', 'positions.facts': 'Position',
  'positions.unitTypes': 'Unit types', 'positions.version': 'Version', 'positions.source': 'Source',
  'policy.title': 'Leave policy and working calendar', 'policy.current': 'Policy in force (version {version})',
  'policy.meta': 'Published by {by}; note: {note}', 'policy.document': 'Policy document (JSON)',
  'policy.documentHint': 'Published whole as a new version; requests already filed keep theirs.',
  'policy.note': 'Note', 'policy.publish': 'Publish a new version', 'policy.badJson': 'That is not valid JSON.',
  'policy.published': 'Published version {version}.', 'policy.calendar': 'Working calendar {year}',
  'policy.summary': '{kind}, {n} working days.', 'policy.years': 'Years', 'policy.overrides': "HR's overrides",
  'policy.day': 'Date', 'policy.kind': 'Kind', 'policy.source': 'Source', 'policy.working': 'working day',
  'policy.off': 'day off', 'policy.setOverride': 'Set override', 'policy.remove': 'Remove',
  'policy.overrideSet': '{day} set; {n} pending requests recounted.',
  'policy.overrideRemoved': 'Override of {day} removed.',
  'policy.exceptions': 'Days that differ from Monday–Friday ({n})',
  'rules.total': '{n} rules.', 'rules.book': 'Rulebook', 'rules.allBooks': 'All', 'rules.category': 'Category', 'rules.title': 'Rule', 'rules.points': 'Points',
  'rules.range': 'Deduction (yuan)', 'rules.consequence': 'Consequence',
  'consequence.disqualification': 'disqualification', 'consequence.no_excellence': 'no excellence award',
  'score.title': 'Scorecard', 'score.period': 'Period', 'score.periodHint': 'YYYY, YYYY-Qn or YYYY-MM',
  'score.show': 'Show', 'score.points': 'Points deducted', 'score.bonus': 'Bonus deducted (yuan)',
  'score.excellence': 'Eligible for excellence', 'score.disqualified': 'Disqualified',
  'score.incidents': 'Incidents counted', 'score.chart': 'Points per month, {unit}, {period}',
  'score.chartAlt': 'Demerit points per month for {unit} in {period}',
  'incidents.list': 'Incidents ({n})', 'incidents.rule': 'Rule', 'incidents.occurred': 'Occurred',
  'incidents.amount': 'Deduction (yuan)',
};

const DICTS = { zh, en };

// A view module brings its own texts (`addStrings({zh: {...}, en: {...}})` at its top) so
// that each feature's strings live beside the feature rather than in one shared table. A key
// already defined keeps its first text: a clash is a mistake, and the console warns of it.
export function addStrings(tables) {
  for (const [code, table] of Object.entries(tables)) {
    const dict = DICTS[code];
    if (!dict) continue;
    for (const [key, text] of Object.entries(table)) {
      if (key in dict) console.warn(`i18n: ${code} key ${key} defined twice`);
      else dict[key] = text;
    }
  }
}
let current = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';

export function lang() { return current; }

export function setLang(value) {
  current = value === 'en' ? 'en' : 'zh';
  localStorage.setItem(KEY, current);
}

// t('mine.balance', {year: 2026}); a key missing from the dictionary shows `fallback` (for
// codes the API may add later), else the key itself.
export function t(key, vars = {}, fallback = undefined) {
  let text = DICTS[current][key] ?? DICTS.zh[key] ?? fallback ?? key;
  for (const [k, v] of Object.entries(vars || {})) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

export function typeName(types, code) {
  const found = (types || []).find((ty) => ty.code === code);
  if (!found) return code;
  return current === 'en' ? found.name_en : found.name_zh;
}

// The few texts written into index.html (login form, header) follow the language too.
export function applyStatic() {
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
  document.title = current === 'en' ? 'HR console' : '人事平台';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAria));
  }
}

// A message in the live region (read out by screen readers); it survives the one page change
// that may follow it (filing → the request's page) and is cleared by the next.
export function say(message, bad = false) {
  const status = document.getElementById('status');
  status.textContent = message;
  status.classList.toggle('bad', bad);
  status.dataset.keep = '1';
}

export function fadeSay() {
  const status = document.getElementById('status');
  if (status.dataset.keep) delete status.dataset.keep;
  else status.textContent = '';
}
