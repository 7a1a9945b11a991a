import type { RegionSummary } from './api.ts';

/** Turns the region tree into a chooser: a 选择 button on the nodes that may be chosen. */
export interface RegionPick {
  canPick: (region: RegionSummary) => boolean;
  onPick: (region: RegionSummary) => void;
  selectedId?: number;
}
