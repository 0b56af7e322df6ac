/**
 * A happy-dom window's DOM as globals of this Node test process, for React and
 * @testing-library/react. Imported first (before react-dom, which looks for `window` once when it
 * loads). Not vitest's `happy-dom` environment: that one also replaces Node globals such as `URL`,
 * which the local service, running in the same process, needs as Node has them. Only names Node
 * lacks are added, so Node's URL, fetch, timers and events stay; Node 20 has no global WebSocket,
 * so the client still uses `ws`.
 */
import { Window } from 'happy-dom';

const window = new Window({ url: 'http://127.0.0.1/' });
const globals = globalThis as Record<string, unknown>;
const names = new Set<string>();
for (let o: object | null = window; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
  for (const key of Object.getOwnPropertyNames(o)) names.add(key);
}
for (const key of names) {
  if (key in globalThis || key === 'WebSocket' || key === 'constructor') continue;
  globals[key] = (window as unknown as Record<string, unknown>)[key];
}
globals.window = window;
// React's act() environment flag, as @testing-library/react sets it under jest globals.
globals.IS_REACT_ACT_ENVIRONMENT = true;

/** Closes the window's timers and tasks (call in afterAll). */
export const closeDomWindow = (): Promise<void> => window.happyDOM.close();
