// QR drawing in a worker (qr.worker.ts), with the main thread as the fallback when no worker can
// be started or it fails.
import { qrShape, type QrShape } from './qr.ts';

type Draw = (urls: string[]) => Promise<QrShape[]>;

/** QR drawing in a worker, with the main thread as the fallback. */
export function drawer(): { draw: Draw; close: () => void } {
  let worker: Worker | null = null;
  try {
    worker = new Worker(new URL('./qr.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    worker = null;
  }
  if (!worker) return { draw: async (urls) => urls.map(qrShape), close: () => undefined };
  const w = worker;
  const pending = new Map<number, (shapes: QrShape[]) => void>();
  let seq = 0;
  let broken = false;
  w.onmessage = (e: MessageEvent<{ id: number; shapes: QrShape[] }>) => {
    pending.get(e.data.id)?.(e.data.shapes);
    pending.delete(e.data.id);
  };
  w.onerror = () => {
    broken = true;
    for (const resolve of pending.values()) resolve([]);
    pending.clear();
  };
  const draw: Draw = async (urls) => {
    if (!broken) {
      const id = ++seq;
      const shapes = await new Promise<QrShape[]>((resolve) => {
        pending.set(id, resolve);
        w.postMessage({ id, urls });
      });
      if (shapes.length === urls.length) return shapes;
    }
    return urls.map(qrShape);
  };
  return { draw, close: () => w.terminate() };
}
