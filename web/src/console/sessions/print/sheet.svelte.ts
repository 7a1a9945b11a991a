// Renders a sheet of slips progressively: the first small chunk appears at once, the rest in
// chunks, and the QR codes of the next chunk are drawn in a worker while the page lays out the
// current one (on the main thread when no worker can be started). The tokens never leave this tab.
// The time until every slip is on the page is kept for the page to show.
import type { IssuedBatch } from '../../../lib/api.ts';
import { drawer } from './draw.ts';
import { qrShape, type QrShape } from './qr.ts';

export interface SlipView {
  code: string;
  qr: QrShape;
}

const FIRST_CHUNK = 24;
const CHUNK = 100;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class SheetRenderer {
  /** slips in chunks: appending a chunk leaves the ones already on the page alone */
  chunks = $state.raw<SlipView[][]>([]);
  done = $state(0);
  /** milliseconds from start until every slip was on the page, once finished */
  elapsed = $state<number | null>(null);
  error = $state('');
  private cancelled = false;

  constructor(private readonly slips: IssuedBatch['slips']) {}

  get total(): number {
    return this.slips.length;
  }

  async render(): Promise<void> {
    const started = performance.now();
    const { draw, close } = drawer();
    try {
      const parts: IssuedBatch['slips'][] = [];
      for (let at = 0; at < this.slips.length;) {
        const size = at === 0 ? FIRST_CHUNK : CHUNK;
        parts.push(this.slips.slice(at, at + size));
        at += size;
      }
      // the first chunk on the main thread (no wait for the worker to start), the rest one ahead
      let next: Promise<QrShape[]> | null = null;
      for (const [i, part] of parts.entries()) {
        if (this.cancelled) return;
        const shapes = i === 0 ? part.map((s) => qrShape(s.url)) : await (next as Promise<QrShape[]>);
        const following = parts[i + 1];
        next = following ? draw(following.map((s) => s.url)) : null;
        this.chunks = [...this.chunks, part.map((s, j) => ({ code: s.code, qr: shapes[j] as QrShape }))];
        this.done += part.length;
        await nextTask();
      }
      // one frame more, so the last chunk has been laid out when the time is taken
      await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      this.elapsed = Math.round(performance.now() - started);
    } catch {
      this.error = '二维码生成失败，请刷新后重试';
    } finally {
      close();
    }
  }

  cancel(): void {
    this.cancelled = true;
  }
}
