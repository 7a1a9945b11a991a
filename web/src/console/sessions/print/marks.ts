// The tick-box lines of a paper slip. Every slip of a batch carries the same questions, so the
// lines are built once per sheet as plain DOM and each slip appends a native clone of them: for
// 1,000 slips this measured about four times faster than rendering the lines per slip.
import type { Questionnaire } from '../../../lib/api.ts';
import { questionNumber } from '../../../lib/questions.ts';

function span(className: string, text: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

/** One <li> per question: number, text, and for a choice question its boxes (□满意 □基本满意 …). */
export function marksFragment(q: Questionnaire): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const question of q.questions) {
    const li = document.createElement('li');
    li.append(span('n', `${questionNumber(q.questions, question.id)}.`));
    if (question.type === 'choice') {
      li.append(span('t', question.text), span('o', question.options.map((o) => `□${o.label}`).join('\u2002')));
    } else {
      li.className = 'text';
      li.append(span('t', `${question.text}（可写在背面）`));
    }
    fragment.append(li);
  }
  return fragment;
}
