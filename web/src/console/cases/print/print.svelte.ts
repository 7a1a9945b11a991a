// What a printed record reads: the case (GET /api/cases/:id) and, for each session a decision rests
// on, the session itself (for its result fingerprint).
import { api, messageOf, type SessionView } from '../../../lib/api.ts';
import { casesApi, type CaseView } from '../../../lib/casesApi.ts';

export class PrintData {
  case = $state.raw<CaseView | null>(null);
  /** sessions by id, for those the record cites */
  sessions = $state.raw<Record<number, SessionView>>({});
  error = $state('');

  async load(caseId: number, sessionIdsOf: (c: CaseView) => number[]): Promise<void> {
    try {
      const c = await casesApi.get(caseId);
      const ids = sessionIdsOf(c).filter((id, i, all) => all.indexOf(id) === i);
      const views = await Promise.all(ids.map((id) => api.session(id)));
      this.sessions = Object.fromEntries(views.map((s) => [s.id, s]));
      this.case = c;
    } catch (err) {
      this.error = messageOf(err);
    }
  }
}
