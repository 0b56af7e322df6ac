/**
 * The time the service stamps on what it sends (message frames, pongs, publish answers): whole
 * milliseconds of its clock, as `Date.now()` gives. A fake clock advanced by 0.25 ms would
 * otherwise stamp `1704067200000.25`, three characters more than the 13 digits a publish's size
 * check counts, and a frame at the 32 KB limit would go out over it.
 * @module
 */
import type { Clock } from '@openkbs-pulse/protocol';

/** Whole milliseconds of `clock` now. */
export const stampNow = (clock: Clock): number => Math.floor(clock.now());
