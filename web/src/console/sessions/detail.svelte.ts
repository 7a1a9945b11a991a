// One session as its page shows it: the session, its change log, its slip batches and its tally.
// Every action returns the updated session; the rest is read again after it. While the session is
// open the page polls the tally (turnout only: the server gives no results before close).
import {
  api,
  messageOf,
  type Batch,
  type IssuedBatch,
  type SessionEvent,
  type SessionView,
  type Tally,
} from '../../lib/api.ts';

export const POLL_MS = 3000;

export class SessionDetail {
  session = $state.raw<SessionView | null>(null);
  events = $state.raw<SessionEvent[]>([]);
  batches = $state.raw<Batch[]>([]);
  tally = $state.raw<Tally | null>(null);
  /** why the page could not be loaded */
  error = $state('');
  /** why the last background refresh of the turnout failed ('' when it worked) */
  pollError = $state('');
  /** what the last action did, for a short confirmation */
  notice = $state('');

  constructor(readonly id: number) {}

  async load(): Promise<void> {
    this.error = '';
    try {
      const [session, events, batches, tally] = await Promise.all([
        api.session(this.id),
        api.events(this.id),
        api.batches(this.id),
        api.tally(this.id),
      ]);
      this.session = session;
      this.events = events.events;
      this.batches = batches.batches;
      this.tally = tally;
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  /** The turnout, read again; a change of status made elsewhere reloads the whole page's data. */
  async refreshTally(): Promise<void> {
    try {
      const tally = await api.tally(this.id);
      this.pollError = '';
      this.tally = tally;
      if (this.session && tally.status !== this.session.status) await this.load();
    } catch (err) {
      this.pollError = messageOf(err);
    }
  }

  /** Runs one action (it throws the ApiError for the caller to show), then reads the rest again. */
  async act(run: () => Promise<SessionView>, notice = ''): Promise<void> {
    this.notice = '';
    this.session = await run();
    this.notice = notice;
    await this.reloadAfterChange();
  }

  async issue(count: number): Promise<IssuedBatch> {
    this.notice = '';
    const issued = await api.issueSlips(this.id, count);
    await Promise.all([this.reloadAfterChange(), api.session(this.id).then((s) => (this.session = s))]);
    return issued;
  }

  async voidBatch(batchId: number, number: number): Promise<void> {
    this.notice = '';
    await api.voidBatch(this.id, batchId);
    this.session = await api.session(this.id);
    this.notice = `第 ${number} 批中未使用的测评票已作废`;
    await this.reloadAfterChange();
  }

  private async reloadAfterChange(): Promise<void> {
    const [events, batches, tally] = await Promise.all([
      api.events(this.id),
      api.batches(this.id),
      api.tally(this.id),
    ]).catch(() => [null, null, null] as const);
    if (events) this.events = events.events;
    if (batches) this.batches = batches.batches;
    if (tally) this.tally = tally;
  }
}
