/**
 * Runs `call` while Object.prototype has a non-enumerable getter named `key` that throws (what an
 * app or library might define), and gives what it returned or threw; the getter is removed
 * before anything is judged (chai reads getters).
 */
export function withThrowingGetter(key: string, call: () => unknown): { value?: unknown; thrown?: string } {
  Object.defineProperty(Object.prototype, key, {
    enumerable: false,
    configurable: true,
    get() {
      throw new Error(`inherited ${key} read`);
    },
  });
  try {
    return { value: call() };
  } catch (thrown) {
    return { thrown: (thrown as Error).message };
  } finally {
    delete (Object.prototype as Record<string, unknown>)[key];
  }
}
