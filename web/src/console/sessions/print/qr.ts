// A slip's QR code as the `d` of one SVG path, drawn inline. Not an <img> of an SVG data: URL:
// Chromium builds a separate SVG document for every such image, which measured 15–27 s for a
// sheet of 1,000 slips here, against about 0.3 s for inline paths (see the report in
// scripts/screenshots-sessions.ts). Inline vector paths also print sharp at any printer
// resolution. The matrix comes from the qrcode package; only the drawing is ours.
import QRCode from 'qrcode';

export interface QrShape {
  /** modules per side, without the quiet zone */
  size: number;
  /** one filled path: every run of dark modules in a row is one rectangle */
  d: string;
}

export function qrShape(text: string): QrShape {
  // One byte-mode segment: the package would otherwise search for the optimal mix of modes, which
  // costs a quarter of the time and saves nothing here (the code stays at version 3).
  const bytes = new TextEncoder().encode(text);
  const { size, data } = QRCode.create([{ data: bytes, mode: 'byte' }], { errorCorrectionLevel: 'M' }).modules;
  let d = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size;) {
      if (!data[y * size + x]) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < size && data[y * size + x + run]) run++;
      d += `M${x} ${y}h${run}v1h-${run}z`;
      x += run;
    }
  }
  return { size, d };
}
