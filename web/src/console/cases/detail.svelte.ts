// One rectification case as its page shows it. Every change (a transition, an edit, a problem, a
// new session) is sent, then the whole case is read again, so the actions, the light and the
// timeline always come from the server. Calls throw the ApiError for the form that made them.
import type { SessionKind } from '../../lib/api.ts';
import { messageOf } from '../../lib/api.ts';
import {
  casesApi,
  type CaseView,
  type NewProblemInput,
  type PatchCaseInput,
  type TransitionInput,
} from '../../lib/casesApi.ts';

export class CaseDetail {
  case = $state.raw<CaseView | null>(null);
  /** why the page could not be loaded */
  error = $state('');
  /** what the last change did, for a short confirmation */
  notice = $state('');
  /** the campaign's case types: the choices when the caller may change the case's types */
  caseTypes = $state.raw<string[]>([]);

  constructor(readonly id: number) {}

  async load(): Promise<void> {
    this.error = '';
    try {
      this.case = await casesApi.get(this.id);
    } catch (err) {
      this.error = messageOf(err);
      return;
    }
    if (this.case.editable.types) {
      const campaign = await casesApi.campaign(this.case.campaignId).catch(() => null);
      this.caseTypes = campaign?.caseTypes ?? [];
    }
  }

  private async changed(notice: string): Promise<void> {
    this.case = await casesApi.get(this.id);
    this.notice = notice;
  }

  async transition(body: TransitionInput, label: string): Promise<void> {
    this.notice = '';
    await casesApi.transition(this.id, body);
    await this.changed(`已${label}`);
  }

  async patch(body: PatchCaseInput, notice: string): Promise<void> {
    this.notice = '';
    this.case = await casesApi.update(this.id, body);
    this.notice = notice;
  }

  async addProblem(body: NewProblemInput): Promise<void> {
    this.notice = '';
    await casesApi.addProblem(this.id, body);
    await this.changed('问题已添加');
  }

  async setProblemDone(problemId: number, done: boolean): Promise<void> {
    this.notice = '';
    await casesApi.updateProblem(this.id, problemId, { status: done ? 'done' : 'open' });
    await this.changed(done ? '问题已销号' : '问题已重新打开');
  }

  async editProblem(problemId: number, body: NewProblemInput): Promise<void> {
    this.notice = '';
    await casesApi.updateProblem(this.id, problemId, body);
    await this.changed('问题已修改');
  }

  /** Creates the session this state allows; its id, for the caller to open its page. */
  async createSession(kind: SessionKind, title: string, residentsPresent: number): Promise<number> {
    const s = await casesApi.createSession(this.id, { kind, title, residentsPresent });
    return s.id;
  }
}
