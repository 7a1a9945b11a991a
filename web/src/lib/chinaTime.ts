// Times as officials read and type them: China time (UTC+8, no daylight saving), whatever the
// browser's own time zone, so a schedule set from a laptop abroad still means 09:00 in the village.
const OFFSET_MS = 8 * 3600_000;
const p = (n: number) => String(n).padStart(2, '0');

/** ISO → `2026-06-01 09:30` in China time; '' for null or nonsense. */
export function chinaText(iso: string | null | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '';
  const d = new Date(t + OFFSET_MS);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** ISO → the value of an <input type="datetime-local"> showing China time (`2026-06-01T09:30`). */
export function toChinaInput(iso: string | null | undefined): string {
  return chinaText(iso).replace(' ', 'T');
}

/** An <input type="datetime-local"> value read as China time → ISO; null when empty or malformed. */
export function fromChinaInput(value: string): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi) - OFFSET_MS).toISOString();
}
