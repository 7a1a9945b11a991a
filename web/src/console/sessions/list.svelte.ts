// The sessions the caller may see: the whole subtree (「我的测评」) or one village's, by status,
// a page at a time (「加载更多」 appends the next page, reached through the server's cursor).
import { api, messageOf, type SessionListItem, type SessionStatus } from '../../lib/api.ts';

const PAGE = 50;

export class SessionList {
  sessions = $state.raw<SessionListItem[]>([]);
  /** every session matching the filter, on all pages */
  total = $state(0);
  loading = $state(false);
  error = $state('');
  status = $state<SessionStatus | ''>('');
  /** the village shown, when the list is one village's */
  villageName = $state('');
  private next = $state<string | null>(null);
  private seq = 0;

  constructor(readonly villageId: number | null) {}

  get hasMore(): boolean {
    return this.next !== null;
  }

  /** The first page again (after a change of filter). */
  async load(): Promise<void> {
    await this.fetch(null);
  }

  async loadMore(): Promise<void> {
    if (this.next !== null && !this.loading) await this.fetch(this.next);
  }

  private async fetch(cursor: string | null): Promise<void> {
    const mine = ++this.seq;
    this.loading = true;
    this.error = '';
    try {
      const filter = {
        ...(this.villageId ? { villageId: this.villageId } : {}),
        ...(this.status ? { status: this.status } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE,
      };
      const [page, village] = await Promise.all([
        api.sessions(filter),
        this.villageId && !this.villageName ? api.children(this.villageId) : null,
      ]);
      if (mine !== this.seq) return;
      this.sessions = cursor ? [...this.sessions, ...page.sessions] : page.sessions;
      this.total = page.total;
      this.next = page.nextCursor;
      if (village) this.villageName = village.region.name;
    } catch (err) {
      if (mine === this.seq) this.error = messageOf(err);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}
