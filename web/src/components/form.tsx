import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';
import { minorDigits } from '../format.ts';

/** Field errors by the API's path (`limits.total_uses`, `tiers.levels[0].code`); `_form` for the rest. */
export type FieldErrors = Record<string, string>;

/** The API's validation details as messages by field; anything without a field goes to `_form`. */
export function fieldErrors(err: unknown, known: (path: string) => boolean = () => true): FieldErrors {
  if (!(err instanceof ApiError)) return { _form: err instanceof Error ? err.message : String(err) };
  const out: FieldErrors = {};
  for (const d of err.details) {
    const path = d.path.replace(/^body\./, '');
    if (known(path) && !out[path]) out[path] = d.message;
    else out._form = out._form ? `${out._form}; ${path}: ${d.message}` : `${path}: ${d.message}`;
  }
  if (err.details.length === 0) out._form = err.message;
  return out;
}

interface FieldProps {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  children: (aria: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}

/** A labelled input with its hint and, when wrong, its message right below it. */
export function Field({ id, label, error, hint, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-message" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** "12.50" in `currency` → 1250 minor units; null for an empty or unreadable amount. */
export function parseMoney(text: string, currency: string): number | null {
  const t = text.trim().replace(/,/g, '');
  if (t === '' || !/^\d+(\.\d*)?$/.test(t)) return null;
  return Math.round(Number(t) * 10 ** minorDigits(currency));
}

/** 1250 → "12.50" for an input (no currency sign, no separators). */
export function moneyInput(minor: number | null | undefined, currency: string): string {
  if (minor == null) return '';
  const d = minorDigits(currency);
  return (minor / 10 ** d).toFixed(d);
}

/** A whole number from an input; null when empty, NaN when not a whole number. */
export function parseWhole(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
}

/** Basis points from a percentage input: "12.5" → 1250; null when empty, NaN when unreadable. */
export function parsePercentBps(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  return /^\d+(\.\d{0,2})?$/.test(t) ? Math.round(Number(t) * 100) : Number.NaN;
}

export function bpsInput(bps: number | null | undefined): string {
  return bps == null ? '' : String(bps / 100);
}

/** "2026-12-24T10:00" (a datetime-local value, the browser's time zone) ↔ ISO-8601. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** "a, b\nc" → ['a', 'b', 'c']. */
export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The message of a form as a whole (what no field shows), announced to screen readers. */
export function FormError({ message }: { message: ReactNode }) {
  return message ? (
    <p className="form-error" role="alert">
      {message}
    </p>
  ) : null;
}
