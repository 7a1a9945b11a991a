// The sessions the caller may see: the whole subtree (「我的测评」) or one village's, by status.
import { api, messageOf, type SessionStatus, type SessionView } from '../../lib/api.ts';

export class SessionList {
  sessions = $state.raw<SessionView[]>([]);
  loading = $state(false);
  error = $state('');
  status = $state<SessionStatus | ''>('');
  /** the village shown, when the list is one village's */
  villageName = $state('');
  private seq = 0;

  constructor(readonly villageId: number | null) {}

  async load(): Promise<void> {
    const mine = ++this.seq;
    this.loading = true;
    this.error = '';
    try {
      const filter = {
        ...(this.villageId ? { villageId: this.villageId } : {}),
        ...(this.status ? { status: this.status } : {}),
      };
      const [list, village] = await Promise.all([
        api.sessions(filter),
        this.villageId && !this.villageName ? api.children(this.villageId) : null,
      ]);
      if (mine !== this.seq) return;
      this.sessions = list.sessions;
      if (village) this.villageName = village.region.name;
    } catch (err) {
      if (mine === this.seq) this.error = messageOf(err);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}
