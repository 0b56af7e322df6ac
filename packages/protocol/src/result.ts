import type { ErrorCode } from './errors.js';

/** Why a frame or request was rejected by a validator. */
export interface ParseFailure {
  ok: false;
  /** `invalid_message` or `message_too_large`. */
  code: Extract<ErrorCode, 'invalid_message' | 'message_too_large' | 'invalid_argument' | 'invalid_response'>;
  /** What was wrong, for people. */
  message: string;
}

/** A validated value. */
export interface ParseSuccess<T> {
  ok: true;
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
