// Valid answers to the default questionnaire, varied per ballot the way a meeting would vote.
const CHOICES = ['satisfied', 'basic', 'dissatisfied', 'unknown'];
const IDENTITIES = ['party_member', 'representative', 'other'];

export function answersFor(i: number): Record<string, string> {
  const answers: Record<string, string> = {};
  for (let q = 1; q <= 10; q++) answers[`q${q}`] = CHOICES[(i * 7 + q * 3) % 4 === 3 ? 2 : (i + q) % 2] as string;
  if (i % 10 === 0) answers.q11 = '希望继续加强村务公开，多听取群众意见。';
  if (i % 3 !== 0) answers.q12 = IDENTITIES[i % 3] as string;
  return answers;
}

/** The answers pgbench sends with every transaction: the shape of a typical ballot above. */
export const PGBENCH_ANSWERS = JSON.stringify(answersFor(1));
