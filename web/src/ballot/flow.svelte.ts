// The ballot page's state: which screen shows, the questionnaire, the villager's choices, and the
// submission. A submission is saved on the phone before its first attempt and resumed on reload.
import type { Question } from '../../../server/modules/sessions/questionnaire.ts';
import { request, wait, type Reply } from './http.ts';
import { INVALID_SLIP, problemOf, type Problem } from './problems.ts';
import {
  loadRecord,
  newClientId,
  removeRecord,
  saveRecord,
  storageKey,
  type Answers,
  type SessionMeta,
  type SlipRecord,
} from './storage.ts';
import { submitWithRetry } from './submit.ts';
import { parseHash } from './token.ts';

export interface Questionnaire {
  session: { publicId: string; title: string; villageName: string; status: string };
  header: string;
  questions: Question[];
}

export type View =
  | { kind: 'loading' }
  | { kind: 'entry' }
  | { kind: 'form' }
  | { kind: 'sending'; note: string; retrying: boolean }
  | { kind: 'stalled'; problem: Problem }
  | { kind: 'receipt'; receipt: string }
  | { kind: 'problem'; problem: Problem }
  | { kind: 'check'; publicId: string };

export class BallotFlow {
  view = $state.raw<View>({ kind: 'loading' });
  meta = $state.raw<SessionMeta | null>(null);
  questionnaire = $state.raw<Questionnaire | null>(null);
  answers = $state<Answers>({});
  missing = $state.raw<string[]>([]);
  formError = $state('');
  private token = '';
  private key = '';
  private pending: SlipRecord | null = null;
  /** bumped on every navigation, so a late reply of an earlier one changes nothing */
  private run = 0;
  private sendingRun = -1;

  async open(hash: string): Promise<void> {
    const run = ++this.run;
    const route = parseHash(hash);
    this.token = '';
    this.pending = null;
    this.meta = null;
    this.questionnaire = null;
    this.answers = {};
    this.missing = [];
    this.formError = '';
    if (route.kind === 'none') return this.show(run, { kind: 'entry' });
    if (route.kind === 'check') return this.show(run, { kind: 'check', publicId: route.publicId });
    if (route.kind === 'invalid') return this.show(run, { kind: 'problem', problem: INVALID_SLIP });
    this.view = { kind: 'loading' };
    this.token = route.token;
    this.key = await storageKey(route.token);
    if (run !== this.run) return;
    const saved = loadRecord(this.key);
    if (saved) this.meta = saved;
    if (saved?.receipt) return this.show(run, { kind: 'receipt', receipt: saved.receipt });
    if (saved?.clientId && saved.answers) {
      this.pending = saved;
      return this.send(run);
    }
    return this.load(run);
  }

  /** 「重试」/「刷新」 on a problem screen, and the network coming back while stalled. */
  retry(): void {
    const run = this.run;
    if (this.pending) void this.send(run);
    else if (this.token) void this.load(run);
  }

  enterCode(): void {
    this.run++;
    this.view = { kind: 'entry' };
  }

  choose(questionId: string, value: string): void {
    this.answers[questionId] = value;
    if (this.missing.indexOf(questionId) >= 0) this.missing = this.missing.filter((id) => id !== questionId);
  }

  /** Returns false when required items are unanswered (listed in `missing`). */
  submit(): boolean {
    const q = this.questionnaire;
    if (!q || !this.meta) return false;
    const answers: Answers = {};
    const missing: string[] = [];
    for (const question of q.questions) {
      let value = (this.answers[question.id] ?? '').trim();
      if (question.type === 'text' && question.maxLength) value = value.slice(0, question.maxLength);
      if (value !== '') answers[question.id] = value;
      else if (question.required) missing.push(question.id);
    }
    this.missing = missing;
    this.formError = '';
    if (missing.length > 0) return false;
    this.pending = { ...this.meta, clientId: newClientId(), answers };
    saveRecord(this.key, this.pending);
    void this.send(this.run);
    return true;
  }

  private show(run: number, view: View): void {
    if (run === this.run) this.view = view;
  }

  private async load(run: number): Promise<void> {
    this.show(run, { kind: 'loading' });
    let reply: Reply;
    for (let attempt = 0; ; attempt++) {
      reply = await request('POST', '/api/ballot/questionnaire', { token: this.token });
      if (run !== this.run) return;
      if ((reply.status > 0 && reply.status < 500) || attempt >= 2) break;
      await wait(1000 * 2 ** attempt);
    }
    const data = reply.body as Questionnaire | null;
    if (reply.status !== 200 || !data || !Array.isArray(data.questions)) {
      return this.show(run, { kind: 'problem', problem: problemOf(reply) });
    }
    this.questionnaire = data;
    const { publicId, title, villageName } = data.session;
    this.meta = { publicId, title, villageName };
    this.show(run, { kind: 'form' });
  }

  private async send(run: number): Promise<void> {
    const pending = this.pending;
    // One submission loop per page visit: a second tap on 「重新提交」 must not start another.
    if (!pending?.clientId || !pending.answers || this.sendingRun === run) return;
    this.sendingRun = run;
    try {
      await this.attempt(run, pending, { clientId: pending.clientId, answers: pending.answers });
    } finally {
      if (this.sendingRun === run) this.sendingRun = -1;
    }
  }

  private async attempt(run: number, meta: SessionMeta, sub: { clientId: string; answers: Answers }): Promise<void> {
    const key = this.key;
    this.show(run, { kind: 'sending', note: '正在提交…', retrying: false });
    const outcome = await submitWithRetry({ token: this.token, clientId: sub.clientId, answers: sub.answers }, (p) =>
      this.show(run, { kind: 'sending', note: p.note, retrying: true }),
    );
    // The phone's record follows the server's answer even if the villager has moved on meanwhile.
    if (outcome.kind === 'receipt') {
      const { publicId, title, villageName } = meta;
      saveRecord(key, { publicId, title, villageName, receipt: outcome.receipt }); // the choices are forgotten
    } else if (outcome.kind === 'rejected') {
      removeRecord(key);
    }
    if (run !== this.run) return;
    if (outcome.kind === 'receipt') {
      this.pending = null;
      return this.show(run, { kind: 'receipt', receipt: outcome.receipt });
    }
    if (outcome.kind === 'stalled') {
      const problem = problemOf(outcome.reply);
      const detail = `${problem.detail.replace('「重试」', '「重新提交」')}您的选择已保存在本机，不会丢失。`;
      return this.show(run, { kind: 'stalled', problem: { ...problem, detail, retry: '重新提交' } });
    }
    this.pending = null;
    if (outcome.reply.status === 400) return this.rejectedAnswers(run, sub.answers, outcome.reply);
    this.show(run, { kind: 'problem', problem: problemOf(outcome.reply) });
  }

  /** The server refused the answers (e.g. the questionnaire changed): back to the form, choices kept. */
  private async rejectedAnswers(run: number, answers: Answers, reply: Reply): Promise<void> {
    if (!this.questionnaire) await this.load(run);
    if (run !== this.run || !this.questionnaire) return;
    this.answers = { ...answers };
    const message = reply.body?.message;
    this.formError = `提交未成功：${typeof message === 'string' ? message : '内容有误'}。请检查后重新提交。`;
    this.show(run, { kind: 'form' });
  }
}
