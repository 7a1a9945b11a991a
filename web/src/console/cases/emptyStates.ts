// What the cases page says when it has nothing to list, for each role: why it is empty and what to
// do next (with a link to where that is done).
import type { Role } from '../../lib/api.ts';

export interface EmptyState {
  text: string;
  link?: { href: string; label: string };
}

/** No case at all in the caller's scope. */
export function noCases(role: Role): EmptyState {
  switch (role) {
    case 'village':
      return {
        text: '本村目前没有整顿案件，这里无需处理。县里将本村列入整顿后，案件会出现在这里。',
        link: { href: '#/sessions', label: '组织村级测评请到「测评」' },
      };
    case 'township':
      return {
        text: '本乡镇还没有被列入整顿的村。县里列入后，案件会出现在这里；需要乡镇受理、初验的，会出现在「待办」。',
        link: { href: '#/sessions', label: '查看本乡镇的测评' },
      };
    default:
      return {
        text: '还没有整顿案件。点击「列入整顿」把软弱涣散的村列为整顿对象；先要在「整顿工作」中建立本年度的整顿工作。',
        link: { href: '#/campaigns', label: '前往「整顿工作」' },
      };
  }
}

/** The 待办 tab with nothing waiting. */
export function noInbox(role: Role): EmptyState {
  switch (role) {
    case 'village':
      return { text: '暂无待办：本村的整顿案件目前不需要您处理。有新的整改任务或验收结果时会出现在这里。' };
    case 'township':
      return { text: '暂无待办：没有等待乡镇受理、初验的案件。村里提交验收申请后会出现在这里。' };
    default:
      return {
        text: '暂无待办：没有等待您审核的案件。',
        link: { href: '#/cases', label: '查看全部案件' },
      };
  }
}
