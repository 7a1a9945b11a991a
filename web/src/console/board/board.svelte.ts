// The board of one region and year, read once, then kept live: every 5 s while the page is
// visible the turnout of the open sessions is read (a cheap call) and written into the rows in
// place; when a session shown as open is no longer open (closed, voided) or a new one opened, the
// whole board is read again, quietly, to show its verdict. Polling pauses while the tab is hidden.
import { messageOf } from '../../lib/api.ts';
import { boardApi, type BoardReply, type HistoryReply } from './boardApi.ts';
import { withTurnout } from './turnout.ts';

export const POLL_MS = 5_000;

export class Board {
  data = $state.raw<BoardReply | null>(null);
  history = $state.raw<HistoryReply | null>(null);
  loading = $state(true);
  error = $state('');
  /** the time of the last turnout read, shown beside 实时 */
  updatedAt = $state<number | null>(null);
  liveError = $state('');
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly regionId: number | null,
    private readonly year: number | null,
  ) {}

  async load(quiet = false): Promise<void> {
    if (!quiet) this.loading = true;
    this.error = '';
    try {
      this.data = await boardApi.board(this.regionId, this.year);
      this.updatedAt = Date.now();
    } catch (err) {
      if (!quiet) this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }

  async loadHistory(): Promise<void> {
    try {
      this.history = await boardApi.history(this.regionId);
    } catch {
      this.history = { years: [], villages: [] };
    }
  }

  private async poll(): Promise<void> {
    const data = this.data;
    if (!data) return;
    try {
      const { sessions } = await boardApi.turnout(this.regionId);
      if (this.data !== data) return;
      const villages = withTurnout(data.villages, sessions);
      if (villages === null) await this.load(true);
      else if (villages.some((v, i) => v !== data.villages[i])) this.data = { ...data, villages };
      this.updatedAt = Date.now();
      this.liveError = '';
    } catch (err) {
      this.liveError = messageOf(err);
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped || document.hidden) return;
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule()), POLL_MS);
  }

  private readonly onVisibility = (): void => {
    if (document.hidden) clearTimeout(this.timer);
    else void this.poll().finally(() => this.schedule());
  };

  /** Starts polling; the returned function stops it (an $effect's clean-up). */
  live(): () => void {
    this.stopped = false;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.schedule();
    return () => {
      this.stopped = true;
      clearTimeout(this.timer);
      document.removeEventListener('visibilitychange', this.onVisibility);
    };
  }
}
