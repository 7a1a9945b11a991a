// The region tree as the console shows it: the caller's own region at the top, children fetched
// only when a node is first opened (a city has thousands of villages).
import { api, messageOf, type RegionSummary } from './api.ts';

export class TreeNode {
  region: RegionSummary;
  children = $state.raw<TreeNode[] | null>(null);
  open = $state(false);
  loading = $state(false);
  error = $state('');

  constructor(region: RegionSummary) {
    this.region = $state.raw(region);
  }

  get expandable(): boolean {
    return this.region.childCount > 0;
  }

  async toggle(): Promise<void> {
    if (this.open) {
      this.open = false;
      return;
    }
    if (this.children === null) await this.load();
    this.open = this.children !== null;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = '';
    try {
      const reply = await api.children(this.region.id);
      this.region = reply.region;
      this.children = reply.children.map((c) => new TreeNode(c));
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}

export class RegionTree {
  root = $state.raw<TreeNode | null>(null);
  ancestors = $state.raw<{ id: number; name: string }[]>([]);
  loading = $state(false);
  error = $state('');

  async load(): Promise<void> {
    this.loading = true;
    this.error = '';
    try {
      const reply = await api.regions();
      const root = new TreeNode(reply.root);
      this.ancestors = reply.ancestors;
      this.root = root;
      if (root.expandable) await root.toggle();
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}
