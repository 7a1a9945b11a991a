// npm run verify recounts each session from one read of its ballots' answers: the rows the close's
// ballot queries return (ballots.repository countAnswerValues and crossTab), rebuilt here from the
// parsed answers, so the counts come from the close's own countsFrom and the digest from its own
// ballotDigest over the same answers.

export interface AnswerValue {
  question: string;
  value: string;
  n: number;
}

export interface CrossCell {
  by: string;
  of: string | null;
  n: number;
}

export interface AnswerTally {
  values: AnswerValue[];
  cross: CrossCell[];
}

/** A ballot's answers as every ballot the application stores them: an object of strings. */
function isStringMap(answers: unknown): answers is Record<string, string> {
  if (answers === null || typeof answers !== 'object' || Array.isArray(answers)) return false;
  for (const v of Object.values(answers)) if (typeof v !== 'string') return false;
  return true;
}

function bump<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/**
 * countAnswerValues (each (question, value) pair and how often it occurs) and crossTab(by, of)
 * (each (answer to `by`, answer to `of` or null) among the ballots that answered `by`), from the
 * parsed answers. SQL reads a value as text (#>> '{}'), which is the value itself only for a JSON
 * string; a ballot holding anything else (a number, null, an object: only a hand-edited one) gives
 * null, and the caller asks SQL instead.
 */
export function tallyAnswers(ballots: readonly unknown[], pair: { by: string; of: string } | null): AnswerTally | null {
  const perQuestion = new Map<string, Map<string, number>>();
  const cells = new Map<string, Map<string | null, number>>();
  for (const answers of ballots) {
    if (!isStringMap(answers)) return null;
    for (const question of Object.keys(answers)) {
      let values = perQuestion.get(question);
      if (!values) perQuestion.set(question, (values = new Map()));
      bump(values, answers[question] as string);
    }
    if (pair && Object.hasOwn(answers, pair.by)) {
      const by = answers[pair.by] as string;
      let row = cells.get(by);
      if (!row) cells.set(by, (row = new Map()));
      bump(row, Object.hasOwn(answers, pair.of) ? (answers[pair.of] as string) : null);
    }
  }
  const values: AnswerValue[] = [];
  for (const [question, counts] of perQuestion) {
    for (const [value, n] of counts) values.push({ question, value, n });
  }
  const cross: CrossCell[] = [];
  for (const [by, row] of cells) for (const [of, n] of row) cross.push({ by, of, n });
  return { values, cross };
}
