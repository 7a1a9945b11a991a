// Draws slip QR codes off the main thread, so that on a two-core laptop the codes of the next
// chunk are computed while the page lays out the current one. Tokens stay in this tab's memory.
import { qrShape } from './qr.ts';

self.onmessage = (event: MessageEvent<{ id: number; urls: string[] }>) => {
  const { id, urls } = event.data;
  self.postMessage({ id, shapes: urls.map(qrShape) });
};
