// The result written once at close and the results shown from it, as pure functions. Integer
// arithmetic only: a percentage is tenths of a percent rounded half up, printed with one decimal.
// The identity breakdown (DOMAIN.md: no breakdown of fewer than 8 ballots) hides small groups, and
// hides more groups when the ballots outside the shown groups would themselves form a group of
// fewer than 8: otherwise subtracting the shown groups from the totals would reveal them.
import crypto from 'node:crypto';
import { canonicalJson } from '../audit/audit.rules.ts';
import type { Questionnaire } from '../sessions/questionnaire.ts';
import { decide, type RuleSet, type Verdict } from './tallies.rules.ts';

export const MIN_GROUP = 8;

/** Raw counts read from the ballots at close (the ballots service's countBallots). */
export interface BallotCounts {
  ballots: number;
  perQuestion: Record<string, Record<string, number>>;
  comments: string[];
  identityGate: Record<string, Record<string, number>>;
}

/** Version 1 results (closed before the ballot digest existed) have no ballotDigest. */
export interface SessionResult {
  version: 1 | 2;
  sessionId: number;
  closedAt: string;
  residentsPresent: number;
  issued: number;
  used: number;
  online: number;
  paper: number;
  ballots: number;
  reconciled: boolean;
  questionnaire: Questionnaire;
  rules: RuleSet;
  identityQuestionId: string | null;
  counts: BallotCounts;
  verdict: Verdict;
  /** version 2: ballotDigest of the session's ballots at close */
  ballotDigest?: string;
}

/** What close reads for the result, besides the session row's questionnaire and rules. */
export interface ResultInputs {
  sessionId: number;
  closedAt: Date;
  residentsPresent: number;
  issued: number;
  questionnaire: Questionnaire;
  rules: RuleSet;
  turnout: { used: number; online: number; paper: number };
  counts: BallotCounts;
  ballotDigest: string;
}

/** The result written at close (version 2); the verifier rebuilds it the same way from the raw rows. */
export function buildResult(i: ResultInputs): SessionResult {
  const tally = {
    residentsPresent: i.residentsPresent,
    issued: i.issued,
    used: i.turnout.used,
    ballots: i.counts.ballots,
  };
  const gateCounts = i.counts.perQuestion[i.rules.gateQuestionId] ?? {};
  return {
    version: 2,
    sessionId: i.sessionId,
    closedAt: i.closedAt.toISOString(),
    ...tally,
    online: i.turnout.online,
    paper: i.turnout.paper,
    reconciled: reconciled(tally),
    questionnaire: i.questionnaire,
    rules: i.rules,
    identityQuestionId: identityQuestionOf(i.questionnaire, i.rules),
    counts: i.counts,
    verdict: decide(i.rules, { ...tally, gateCounts }),
    ballotDigest: i.ballotDigest,
  };
}

/**
 * Keys a copy would not hold in the order they were inserted in: array indices (an object lists
 * them first, in numeric order) and names an object inherits (assigning __proto__ sets the prototype,
 * and reading a missing key such as toString would find the inherited value).
 */
const unsafeKey = (key: string): boolean => /^\d+$/.test(key) || key in Object.prototype;

/**
 * canonicalJson of each ballot's answers. The usual answers, an object of strings, are written by
 * JSON.stringify of a copy whose keys were inserted in sorted order: the same text (keys sorted by
 * UTF-16 code units, each key and value as JSON.stringify quotes it), without canonicalJson's walk,
 * which took most of npm run verify's time for a county. Anything else goes through canonicalJson.
 */
export function ballotLines(answers: readonly unknown[]): string[] {
  const union = new Set<string>();
  for (const a of answers) if (a !== null && typeof a === 'object') for (const k of Object.keys(a)) union.add(k);
  const keys = [...union].sort();
  if (keys.some(unsafeKey)) return answers.map(canonicalJson);
  return answers.map((a) => {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) return canonicalJson(a);
    const copy: Record<string, string> = {};
    for (const k of keys) {
      const v = (a as Record<string, unknown>)[k];
      if (v === undefined) continue; // not one of its keys (canonicalJson drops undefined too)
      if (typeof v !== 'string') return canonicalJson(a);
      copy[k] = v;
    }
    return JSON.stringify(copy);
  });
}

/**
 * SHA-256 (hex) of the multiset of ballots: each ballot's answers as canonical JSON, sorted, one
 * per line. Any changed answer, added key, or added or missing ballot changes it; the order the
 * close's rewrite leaves the rows in does not.
 */
export function ballotDigest(answers: readonly unknown[]): string {
  const lines = ballotLines(answers).sort();
  const h = crypto.createHash('sha256');
  for (const line of lines) h.update(line, 'utf8').update('\n');
  return h.digest('hex');
}

/** count / total as a percentage with one decimal, e.g. "33.3"; "0.0" when total is 0. */
export function percentText(count: number, total: number): string {
  if (total <= 0) return '0.0';
  const tenths = Math.floor((2000 * count + total) / (2 * total));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

export function reconciled(r: { ballots: number; used: number; issued: number; residentsPresent: number }): boolean {
  return r.ballots === r.used && r.used <= r.issued && r.issued <= r.residentsPresent;
}

/** The identity question (（可选）您的身份 in the template): the first choice question, other than
 * the gate, whose text mentions 身份 (the ballots service's countBallots reads it the same way). */
export function identityQuestionOf(q: Questionnaire, rules: RuleSet): string | null {
  const found = q.questions.find(
    (x) => x.type === 'choice' && x.id !== rules.gateQuestionId && x.text.includes('身份'),
  );
  return found ? found.id : null;
}

const sum = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((a, b) => a + b, 0);

/** Which identity groups may be shown: each of ≥ 8 ballots, and what lies outside them 0 or ≥ 8. */
export function shownGroups(identityGate: Record<string, Record<string, number>>, gateTotal: number): string[] {
  let shown = Object.entries(identityGate)
    .map(([id, counts]) => ({ id, n: sum(counts) }))
    .filter((g) => g.n >= MIN_GROUP)
    .sort((a, b) => a.n - b.n || (a.id < b.id ? -1 : 1));
  const rest = () => gateTotal - shown.reduce((a, g) => a + g.n, 0);
  while (shown.length > 0 && rest() > 0 && rest() < MIN_GROUP) shown = shown.slice(1);
  return shown.map((g) => g.id);
}

export interface OptionView {
  id: string;
  label: string;
  count: number;
  percent: string;
}

export interface QuestionResult {
  id: string;
  text: string;
  type: 'choice' | 'text';
  options: OptionView[];
  answered: number;
}

export interface IdentityBreakdown {
  questionId: string | null;
  minGroup: number;
  groups: { id: string; label: string; ballots: number; options: OptionView[] }[];
  note: string | null;
}

export interface ResultsView {
  ballots: number;
  questions: QuestionResult[];
  comments: string[];
  identity: IdentityBreakdown;
}

function optionViews(options: { id: string; label: string }[], counts: Record<string, number> | undefined) {
  const total = sum(counts);
  return options.map((o) => ({ ...o, count: counts?.[o.id] ?? 0, percent: percentText(counts?.[o.id] ?? 0, total) }));
}

function identityView(r: SessionResult): IdentityBreakdown {
  const gate = r.questionnaire.questions.find((q) => q.id === r.rules.gateQuestionId);
  const identity = r.questionnaire.questions.find((q) => q.id === r.identityQuestionId);
  if (!gate || !identity) return { questionId: null, minGroup: MIN_GROUP, groups: [], note: '问卷中没有身份题' };
  const shown = shownGroups(r.counts.identityGate, sum(r.counts.perQuestion[gate.id]));
  const groups = identity.options
    .filter((o) => shown.includes(o.id))
    .map((o) => {
      const counts = r.counts.identityGate[o.id];
      return { id: o.id, label: o.label, ballots: sum(counts), options: optionViews(gate.options, counts) };
    });
  const hidden = Object.entries(r.counts.identityGate).some(([id, counts]) => sum(counts) > 0 && !shown.includes(id));
  const note = hidden ? `为保护无记名，少于 ${MIN_GROUP} 票的身份组（及可据以推算出它的组）不单独显示` : null;
  return { questionId: identity.id, minGroup: MIN_GROUP, groups, note };
}

export function resultsView(r: SessionResult): ResultsView {
  const questions = r.questionnaire.questions.map((q) => {
    const counts = r.counts.perQuestion[q.id];
    return {
      id: q.id,
      text: q.text,
      type: q.type,
      options: q.type === 'choice' ? optionViews(q.options, counts) : [],
      // comments are kept without their question (the template has one text question)
      answered: q.type === 'choice' ? sum(counts) : r.counts.comments.length,
    };
  });
  return { ballots: r.ballots, questions, comments: r.counts.comments, identity: identityView(r) };
}
