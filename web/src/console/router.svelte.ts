// Hash routing: the server serves one page at /, and the fragment picks the view:
// `#/page/param/param?key=value` (e.g. `#/sessions/12/paper`, `#/sessions?village=5`).
import type { Role } from '../lib/api.ts';

export type Page =
  | 'board'
  | 'cases'
  | 'inbox'
  | 'villagefiles'
  | 'grading'
  | 'risk'
  | 'screening'
  | 'identification'
  | 'decisions'
  | 'prevention'
  | 'deptreports'
  | 'departments'
  | 'campaigns'
  | 'sessions'
  | 'schedule'
  | 'regions'
  | 'accounts'
  | 'import'
  | 'password';

/** The menu's groups, in order: the day's work, 认定 (identification), 整顿 (rectification), 设置. */
export type NavGroup = 'work' | 'identify' | 'rectify' | 'settings';
export const NAV_GROUPS: readonly { group: NavGroup; label: string }[] = [
  { group: 'work', label: '工作台' },
  { group: 'identify', label: '认定' },
  { group: 'rectify', label: '整顿' },
  { group: 'settings', label: '设置' },
];

export interface NavItem {
  page: Page;
  label: string;
  group: NavGroup;
  roles: readonly Role[] | 'all';
  /** the label this role sees instead (a department's own reports: 我的报送) */
  labelOf?: Partial<Record<Role, string>>;
}

const OFFICIALS = ['city', 'county', 'township'] as const;
const WITH_VILLAGE = ['city', 'county', 'township', 'village'] as const;

/** In menu order within each group. */
export const NAV: readonly NavItem[] = [
  { page: 'board', label: '工作台', group: 'work', roles: OFFICIALS },
  { page: 'inbox', label: '待办', group: 'work', roles: WITH_VILLAGE },
  { page: 'villagefiles', label: '村情档案', group: 'identify', roles: WITH_VILLAGE },
  { page: 'grading', label: '堡垒指数', group: 'identify', roles: WITH_VILLAGE },
  { page: 'risk', label: '负向测评', group: 'identify', roles: OFFICIALS },
  { page: 'screening', label: '年度排查', group: 'identify', roles: OFFICIALS },
  // a 行业部门 account sees its reports only (the API refuses it everything else)
  {
    page: 'deptreports',
    label: '部门报送',
    group: 'identify',
    roles: ['department', ...OFFICIALS],
    labelOf: { department: '我的报送' },
  },
  { page: 'decisions', label: '三级认定', group: 'identify', roles: OFFICIALS },
  { page: 'prevention', label: '重点防控村', group: 'identify', roles: OFFICIALS },
  { page: 'identification', label: '认定台账', group: 'identify', roles: OFFICIALS },
  { page: 'campaigns', label: '整顿工作', group: 'rectify', roles: OFFICIALS },
  { page: 'cases', label: '整顿案件', group: 'rectify', roles: WITH_VILLAGE },
  { page: 'sessions', label: '测评', group: 'rectify', roles: WITH_VILLAGE },
  { page: 'schedule', label: '批量安排', group: 'rectify', roles: ['county', 'township'] },
  { page: 'regions', label: '区域', group: 'settings', roles: ['admin', ...WITH_VILLAGE] },
  { page: 'accounts', label: '账户管理', group: 'settings', roles: ['admin'] },
  { page: 'departments', label: '行业部门账户', group: 'settings', roles: ['county'] },
  { page: 'import', label: '导入村庄', group: 'settings', roles: ['admin', 'city', 'county'] },
  { page: 'password', label: '修改密码', group: 'settings', roles: 'all' },
];

export function allowed(page: Page, role: Role): boolean {
  const item = NAV.find((n) => n.page === page);
  return item !== undefined && (item.roles === 'all' || item.roles.includes(role));
}

export interface NavSection {
  group: NavGroup;
  label: string;
  items: NavItem[];
}

/** The role's menu: its groups that hold any of its pages, each with those pages. */
export function menuOf(role: Role): NavSection[] {
  return NAV_GROUPS.map((g) => ({
    ...g,
    items: NAV.filter((n) => n.group === g.group && allowed(n.page, role)),
  })).filter((s) => s.items.length > 0);
}

/** A short menu (a department's two items, an admin's four) reads better without group headings. */
export const GROUPED_FROM = 6;

/** The page this role starts on: the board (工作台) for township, county and city, the cases (with
 * their inbox) for the village, the regions for the admin, 我的报送 for a department. */
export function defaultPage(role: Role): Page {
  if (role === 'village') return 'cases';
  return NAV.find((n) => allowed(n.page, role))?.page ?? 'regions';
}

interface Location {
  page: Page | null;
  params: string[];
  query: Record<string, string>;
}

function parse(hash: string): Location {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [name = '', ...params] = path.split('/').filter((p) => p !== '');
  const page = NAV.some((n) => n.page === name) ? (name as Page) : null;
  const query = Object.fromEntries(new URLSearchParams(search));
  return { page, params: page ? params.map(decodeURIComponent) : [], query };
}

export class Router {
  /** null when the fragment names no page: the shell shows the role's default page. */
  page = $state<Page | null>(null);
  /** what follows the page in the fragment, e.g. ['12', 'paper'] */
  params = $state.raw<string[]>([]);
  /** the fragment's `?key=value` part */
  query = $state.raw<Record<string, string>>({});

  constructor() {
    this.read();
    window.addEventListener('hashchange', () => this.read());
  }

  private read(): void {
    const loc = parse(location.hash);
    this.page = loc.page;
    this.params = loc.params;
    this.query = loc.query;
  }

  go(page: Page): void {
    location.hash = `#/${page}`;
  }

  /** Any path inside the console, e.g. navigate('sessions/12'). */
  navigate(path: string): void {
    location.hash = `#/${path}`;
  }
}

const PRODUCT = '村级整顿满意度测评';
/** what one session or case is called in a title, and its sub-pages */
const ONE: Partial<Record<Page, string>> = { sessions: '测评', cases: '案件', deptreports: '报送' };
const NEW: Partial<Record<Page, string>> = { sessions: '新建测评', cases: '列入整顿', deptreports: '新建报送' };
const SUB: Record<string, string> = {
  result: '结果单',
  paper: '录入纸质票',
  print: '打印测评票',
  application: '验收申请',
  decision: '验收决定',
};

/** The browser tab's title for a page: 「测评 12 · 村级整顿满意度测评」, 「整顿案件 · …」. */
export function titleOf(page: Page, params: readonly string[]): string {
  const label = NAV.find((n) => n.page === page)?.label ?? '';
  const [first = '', sub = ''] = params;
  let title = label;
  if (/^\d{1,10}$/.test(first) && ONE[page]) title = `${ONE[page]} ${first}${SUB[sub] ? ` ${SUB[sub]}` : ''}`;
  else if (first === 'new' && NEW[page]) title = NEW[page];
  else if (first === 'inbox') title = `${label} · 待办`;
  return title ? `${title} · ${PRODUCT}` : PRODUCT;
}
