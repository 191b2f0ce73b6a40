// Statistics and plain-text tables for the benchmark report.

export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function percentile(values, p) {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = (p / 100) * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return v[lo] + (v[hi] - v[lo]) * (rank - lo);
}

/** Spread of runs as ± half their range, in percent of the median. */
export function spreadPct(values) {
  const m = median(values);
  return (100 * (Math.max(...values) - Math.min(...values))) / 2 / m;
}

/** "1,234,567" */
export const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');

/** Three significant digits, plain notation. */
export function sig(x, digits = 3) {
  if (!Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return x.toFixed(decimals);
}

export const pm = (values) => `±${spreadPct(values).toFixed(1)}%`;

/** A median with its spread: "1,234 ±1.2%". */
export const withSpread = (values, format = int) => `${format(median(values))} ${pm(values)}`;

export const ratio = (x) => (Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : '—');

/**
 * A plain-text table. `columns`: [{ title, align: 'left'|'right' }]; `rows`: arrays of strings.
 * Returns the lines (no trailing newline).
 */
export function table(columns, rows) {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const cell = (text, i) => {
    const s = String(text ?? '');
    return columns[i].align === 'left' ? s.padEnd(widths[i]) : s.padStart(widths[i]);
  };
  const lines = [];
  lines.push(columns.map((c, i) => cell(c.title, i)).join('  ').trimEnd());
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) lines.push(r.map((x, i) => cell(x, i)).join('  ').trimEnd());
  return lines;
}

export function heading(text) {
  return ['', text, '═'.repeat(Math.min(100, [...text].length))];
}

/** "met      text" / "not met  text" / "n/a      text" */
export const verdict = (ok, text) => `${ok === null ? 'n/a    ' : ok ? 'met    ' : 'not met'}  ${text}`;
