import type { ErrorCode } from './errors.js';

/** Why a frame or request was rejected by a validator. */
export interface ParseFailure {
  /** Always `false`: narrow on it before reading `code`. */
  ok: false;
  /** `invalid_message` / `message_too_large` for frames, `invalid_argument` / `invalid_response` for API arguments and answers. */
  code: Extract<ErrorCode, 'invalid_message' | 'message_too_large' | 'invalid_argument' | 'invalid_response'>;
  /** What was wrong, for people. */
  message: string;
}

/** A validated value. */
export interface ParseSuccess<T> {
  /** Always `true`: narrow on it before reading `value`. */
  ok: true;
  /** The validated value. */
  value: T;
}

/** The result of a validator: it never throws. */
export type ParseResult<T> = ParseSuccess<T> | ParseFailure;

/** @internal */
export function fail(code: ParseFailure['code'], message: string): ParseFailure {
  return { ok: false, code, message };
}

/** @internal */
export function ok<T>(value: T): ParseSuccess<T> {
  return { ok: true, value };
}
