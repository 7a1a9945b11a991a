// The questionnaire snapshot stored on each session, and the default template of DOMAIN.md.

export interface QuestionOption {
  id: string;
  label: string;
}

export interface Question {
  id: string;
  text: string;
  type: 'choice' | 'text';
  options: QuestionOption[];
  required: boolean;
  /** text questions only */
  maxLength?: number;
}

export interface Questionnaire {
  header: string;
  questions: Question[];
}

export const SATISFACTION_OPTIONS: QuestionOption[] = [
  { id: 'satisfied', label: '满意' },
  { id: 'basic', label: '基本满意' },
  { id: 'dissatisfied', label: '不满意' },
  { id: 'unknown', label: '不了解' },
];

const ITEMS = [
  '您对本村党组织整顿工作的总体成效是否满意？',
  '村“两委”班子团结协作、战斗力提升情况',
  '村党组织书记述职通报内容是否真实、履职尽责情况',
  '村干部工作作风（联系服务群众、办事公道、办事效率）',
  '廉洁自律及村务、财务公开情况',
  '群众反映的突出矛盾问题化解情况',
  '推动产业发展、集体经济、乡村振兴情况',
  '村容村貌、人居环境改善情况',
  '县级领导联村、乡镇领导包村、第一书记驻村、结对单位帮扶（“四个一”）作用发挥情况',
  '您对本次整顿公开透明程度是否满意？',
];

export const COMMENT_MAX_LENGTH = 300;

export function defaultQuestionnaire(): Questionnaire {
  return {
    header: '本测评无记名，不收集姓名、手机号。请根据您的真实感受填写，每题只选一项。',
    questions: [
      ...ITEMS.map((text, i) => ({
        id: `q${i + 1}`,
        text,
        type: 'choice' as const,
        options: SATISFACTION_OPTIONS.map((o) => ({ ...o })),
        required: true,
      })),
      {
        id: 'q11',
        text: '意见和建议（选填，300字以内，请勿填写姓名、电话等个人信息）',
        type: 'text',
        options: [],
        required: false,
        maxLength: COMMENT_MAX_LENGTH,
      },
      {
        id: 'q12',
        text: '（可选）您的身份',
        type: 'choice',
        options: [
          { id: 'party_member', label: '党员' },
          { id: 'representative', label: '村民代表' },
          { id: 'other', label: '其他村民' },
        ],
        required: false,
      },
    ],
  };
}

/** The gate item that decides the pass (DOMAIN.md: item 1). */
export const DEFAULT_GATE_QUESTION = 'q1';
