// How every page numbers a question: its place in the whole questionnaire, counting the text
// questions too, as the ballot page and the printed slip show it (so the identity question after
// the comment box is 12 on the ballot, the slip, the result charts and the result sheet alike).

/** 1 for the first question of `questions`; 0 when `id` is not among them. */
export function questionNumber(questions: readonly { id: string }[], id: string): number {
  return questions.findIndex((q) => q.id === id) + 1;
}
