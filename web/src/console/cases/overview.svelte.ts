// The cases of the overview page: every case in the caller's scope, read once (the filters are
// applied in the browser, see filters.ts), and the inbox of those waiting for the caller's role.
import { messageOf } from '../../lib/api.ts';
import { casesApi, type CaseSummary } from '../../lib/casesApi.ts';
import { choicesOf } from './filters.ts';

export class CaseOverview {
  all = $state.raw<CaseSummary[]>([]);
  inbox = $state.raw<CaseSummary[]>([]);
  loading = $state(true);
  error = $state('');

  /** the choices of the filters */
  choices = $derived(choicesOf(this.all));

  async load(): Promise<void> {
    this.loading = true;
    this.error = '';
    try {
      const [all, inbox] = await Promise.all([casesApi.cases(), casesApi.inbox()]);
      this.all = all.cases;
      this.inbox = inbox.cases;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}
