// The plan of the scale dataset (npm run seed:demo -- --scale county|city), as pure functions: the
// names and codes of the region tree, what happens in each village in each year (a closed
// self-evaluation, an open one, a draft, a case in some state), and each ballot's answers. Seeded
// pseudo-random numbers, so two runs with the same options plan the same dataset.

export interface ScaleOptions {
  counties: number;
  townshipsPerCounty: number;
  villagesPerCounty: number;
  years: number;
  /** ballots per closed session in the first county */
  ballots: number;
  /** ballots per closed session in the other counties (a city run keeps its time reasonable) */
  otherBallots: number;
  /** sessions run at the same time (each holds one pooled connection while its ballots go in) */
  concurrency: number;
}

export const SCALE_PRESETS: Record<'county' | 'city', ScaleOptions> = {
  county: {
    counties: 1,
    townshipsPerCounty: 25,
    villagesPerCounty: 1000,
    years: 3,
    ballots: 100,
    otherBallots: 100,
    concurrency: 6,
  },
  city: {
    counties: 5,
    townshipsPerCounty: 25,
    villagesPerCounty: 1000,
    years: 3,
    ballots: 100,
    otherBallots: 10,
    concurrency: 6,
  },
};

export const SCALE_CITY = '规模测试市';
const COUNTY_NAMES = ['青山县', '绿水县', '白云县', '金田县', '玉泉县', '松林县', '梅岭县', '竹溪县', '桂花县'];
const FIRST = '东西南北上下前后大小新老高长平安和兴永福康宁富乐丰泰华明清光荣盛旺顺吉祥瑞';
const SECOND = '山河湾岭坪村庄桥塘冲沟坡岗源口湖田坝寨营林';

export function countyName(c: number): string {
  return COUNTY_NAMES[c] ?? `第${c + 1}县`;
}

export function townshipName(t: number): string {
  const a = FIRST[t % FIRST.length] as string;
  const b = SECOND[Math.floor(t / FIRST.length) % SECOND.length] as string;
  return `${a}${b}${t % 3 === 2 ? '乡' : '镇'}`;
}

/** Unique within its township for up to FIRST.length × SECOND.length villages. */
export function villageName(t: number, v: number): string {
  const a = FIRST[v % FIRST.length] as string;
  const b = SECOND[(t + Math.floor(v / FIRST.length)) % SECOND.length] as string;
  return `${a}${b}村`;
}

/** 12-digit statistical code under the unused province prefix 98 (the small demo uses 99). */
export function villageCode(c: number, t: number, v: number): string {
  return `9801${String(c + 1).padStart(2, '0')}${String(t + 1).padStart(3, '0')}${String(v + 1).padStart(3, '0')}`;
}

/** The village list as the CSV the import reads (县, 乡镇, 村, 统计代码). */
export function villageCsv(opts: ScaleOptions): string {
  const lines = ['县,乡镇,村,统计代码'];
  for (let c = 0; c < opts.counties; c++) {
    for (let i = 0; i < opts.villagesPerCounty; i++) {
      const { t, v } = placeOf(opts, i);
      lines.push([countyName(c), townshipName(t), villageName(t, v), villageCode(c, t, v)].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** The township and the position inside it of a county's i-th village (villages spread evenly). */
export function placeOf(opts: ScaleOptions, i: number): { t: number; v: number } {
  const t = i % opts.townshipsPerCounty;
  return { t, v: Math.floor(i / opts.townshipsPerCounty) };
}

/** mulberry32: a small seeded generator, uniform on [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type CaseFate =
  | 'listed'
  | 'rectifying'
  | 'evaluating_open'
  | 'evaluating_draft'
  | 'applied'
  | 'township_check'
  | 'county_acceptance'
  | 'exited'
  | 'monitoring';

export type SessionFate = 'closed' | 'open' | 'draft_confirmed' | 'draft' | 'none';

/** The cases of the current year, one in ten villages, in this mix of states. */
const CURRENT_CASES: readonly CaseFate[] = [
  'listed',
  'rectifying',
  'evaluating_open',
  'applied',
  'rectifying',
  'township_check',
  'evaluating_draft',
  'county_acceptance',
  'rectifying',
  'listed',
];

/**
 * The case of village i in year index y (0 = oldest, years - 1 = the current year), if any:
 * one in ten villages in the current year; one in a hundred in the oldest year, taken through to
 * exit (half of those on to look-back monitoring). The two sets never meet.
 */
export function caseFateOf(opts: ScaleOptions, i: number, y: number): CaseFate | null {
  const current = y === opts.years - 1;
  if (current && i % 10 === 0) return CURRENT_CASES[(i / 10) % CURRENT_CASES.length] as CaseFate;
  if (!current && y === 0 && i % 100 === 5) return (i / 100) % 2 < 1 ? 'exited' : 'monitoring';
  return null;
}

/**
 * A village whose case went on to look-back monitoring runs the county's look-back evaluation of
 * that case in each later year instead of a self-evaluation (which the case would refuse).
 */
export function lookBackOf(opts: ScaleOptions, i: number, y: number): boolean {
  return y > 0 && caseFateOf(opts, i, 0) === 'monitoring';
}

/** The plain self-evaluation (outside any case) of village i in year index y. */
export function sessionFateOf(opts: ScaleOptions, c: number, i: number, y: number): SessionFate {
  if (caseFateOf(opts, i, y) !== null || lookBackOf(opts, i, y)) return 'none';
  const r = random(c * 1_000_003 + i * 7919 + y * 104_729)();
  if (y < opts.years - 1) return r < 0.97 ? 'closed' : 'none';
  if (r < 0.9) return 'closed';
  if (r < 0.93) return 'open';
  if (r < 0.95) return 'draft_confirmed';
  if (r < 0.97) return 'draft';
  return 'none';
}

export interface SessionShape {
  residentsPresent: number;
  /** slips issued (≤ residents present) */
  issued: number;
  /** ballots cast (≤ issued) */
  ballots: number;
  /** share of ballots answering 满意 or 基本满意 to the gate question */
  satisfaction: number;
}

/**
 * About `ballots` ballots (± 10 %), residents present 10–30 % more, 0–5 % of slips unused. Most
 * sessions pass under the default rules (more than half of the residents present satisfied); one
 * in seven is set up to fail, and `pass` forces a pass (a case's gate must open).
 */
export function shapeOf(seed: number, ballots: number, pass = false): SessionShape {
  const r = random(seed);
  const n = Math.max(1, Math.round(ballots * (0.9 + 0.2 * r())));
  const issued = n + Math.floor(n * 0.05 * r());
  const residentsPresent = issued + Math.ceil(n * (0.1 + 0.2 * r()));
  const failing = !pass && r() < 1 / 7;
  const needed = residentsPresent / 2 / n; // share of ballots that just reaches the majority
  const satisfaction = failing ? needed * (0.6 + 0.35 * r()) : Math.min(1, Math.max(needed + 0.08, 0.7 + 0.28 * r()));
  return { residentsPresent, issued, ballots: n, satisfaction };
}

const OTHER = ['dissatisfied', 'unknown'] as const;
const IDENTITIES = ['party_member', 'representative', 'other'] as const;

/** One ballot's answers to the default questionnaire; q1 (the gate) as the plan says. */
export function ballotAnswers(
  rand: () => number,
  gateSatisfied: boolean,
  satisfaction: number,
): Record<string, string> {
  const answers: Record<string, string> = {};
  for (let q = 1; q <= 10; q++) {
    const yes = q === 1 ? gateSatisfied : rand() < Math.min(1, satisfaction + 0.05);
    answers[`q${q}`] = yes ? (rand() < 0.6 ? 'satisfied' : 'basic') : (OTHER[rand() < 0.7 ? 0 : 1] as string);
  }
  if (rand() < 0.05) answers.q11 = '希望村里继续加强村务公开，多听取群众意见。';
  if (rand() < 0.8) answers.q12 = IDENTITIES[Math.floor(rand() * 3)] as string;
  return answers;
}

/** How many of `n` ballots answer the gate satisfied: ⌈share · n⌉ (so a planned pass is a pass). */
export function satisfiedCount(n: number, satisfaction: number): number {
  return Math.min(n, Math.ceil(satisfaction * n));
}
