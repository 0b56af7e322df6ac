// The frames of the instructions pipeline (pipeline-sender.mjs writes them, pipeline-receiver.mjs
// checks what arrived): the bench sender's message frame, 130 bytes of JSON, with its own `n`.
import { wsFrame } from './ws-frame.mjs';

/** Frames per TCP write; the sender writes the next batch only once all of these reached the callback. */
export const BATCH = 50;
/** How many distinct writes there are; they are reused in turn. */
export const WRITES = 40;

/** The `n` of frame `i` of write `w`. */
export const frameN = (w, i) => 100_000 + (w % WRITES) * BATCH + i;

/** WRITES buffers of BATCH encoded frames each. */
export function frameWrites() {
  const writes = [];
  for (let w = 0; w < WRITES; w++) {
    const frames = [];
    for (let i = 0; i < BATCH; i++) {
      const n = frameN(w, i);
      frames.push(wsFrame(JSON.stringify({ type: 'message', channel: 'bench', data: { type: 'tick', text: 'hello subscribers', n, ok: true }, timestamp: 1_764_000_000_000 + n })));
    }
    writes.push(Buffer.concat(frames));
  }
  return writes;
}
