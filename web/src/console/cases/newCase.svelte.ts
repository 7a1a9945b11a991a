// The 「列入整顿」 form's state: campaign, village, types (from the campaign's list), deadline,
// plan, 四个一 and the first problems; checked here before the server checks again.
import { ApiError, messageOf } from '../../lib/api.ts';
import { casesApi, type CampaignView, type CaseView } from '../../lib/casesApi.ts';
import { addDays, RESPONSIBLE_KEYS, todayInChina, type ResponsibleKey } from './caseLabels.ts';

export interface ProblemDraft {
  key: number;
  description: string;
  owner: string;
  deadline: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class NewCaseForm {
  campaigns = $state.raw<CampaignView[]>([]);
  campaignId = $state(0);
  village = $state.raw<{ id: number; name: string } | null>(null);
  types = $state<string[]>([]);
  deadline = $state(addDays(todayInChina(), 180));
  plan = $state('');
  responsible = $state<Record<ResponsibleKey, string>>({
    countyLeader: '',
    townshipLeader: '',
    firstSecretary: '',
    pairedUnit: '',
  });
  problems = $state<ProblemDraft[]>([]);
  errors = $state<Record<string, string>>({});
  message = $state('');
  busy = $state(false);
  private nextKey = 1;

  campaign = $derived(this.campaigns.find((c) => c.id === this.campaignId) ?? null);

  async load(): Promise<void> {
    try {
      const { campaigns } = await casesApi.campaigns();
      this.campaigns = campaigns;
      this.campaignId = campaigns[0]?.id ?? 0;
    } catch (err) {
      this.message = messageOf(err);
    }
  }

  addProblem(): void {
    this.problems.push({ key: this.nextKey++, description: '', owner: '', deadline: this.deadline });
  }

  removeProblem(key: number): void {
    this.problems = this.problems.filter((p) => p.key !== key);
  }

  private check(): Record<string, string> {
    const out: Record<string, string> = {};
    const today = todayInChina();
    if (!this.campaign) out.campaignId = '请选择整顿工作（没有可选的，请先在「整顿工作」中创建）';
    if (!this.village) out.villageId = '请选择村';
    if (this.types.length === 0) out.types = '请至少选择一个整顿类型';
    if (!DATE.test(this.deadline) || this.deadline <= today) out.deadline = '整改期限须晚于今天';
    this.problems.forEach((p, i) => {
      if (!p.description.trim() || !p.owner.trim() || !DATE.test(p.deadline))
        out[`problems/${i}`] = '请填写问题、责任人和期限';
    });
    return out;
  }

  /** The new case, or null when the form has errors (shown in `errors` and `message`). */
  async submit(): Promise<CaseView | null> {
    this.message = '';
    this.errors = this.check();
    if (Object.keys(this.errors).length > 0 || !this.village || this.busy) return null;
    this.busy = true;
    try {
      const responsible = Object.fromEntries(RESPONSIBLE_KEYS.map((k) => [k, this.responsible[k].trim()]));
      return await casesApi.create({
        campaignId: this.campaignId,
        villageId: this.village.id,
        types: this.types,
        deadline: this.deadline,
        plan: this.plan.trim(),
        responsible: responsible as Record<ResponsibleKey, string>,
        problems: this.problems.map((p) => ({
          description: p.description.trim(),
          owner: p.owner.trim(),
          deadline: p.deadline,
        })),
      });
    } catch (err) {
      this.errors = err instanceof ApiError ? err.fieldErrors() : {};
      this.message = messageOf(err);
      return null;
    } finally {
      this.busy = false;
    }
  }
}
