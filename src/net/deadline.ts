/**
 * The package's one deadline race: a promise's value if it settles before a deadline, without leaving a timer
 * behind. A rejection before the deadline passes through.
 */
export type SettledBefore<T> = { done: true; value: T } | { done: false };

/** Waits for `promise` until epoch ms `deadlineMs`; `done: false` when the deadline came first. */
export async function settleBefore<T>(promise: Promise<T>, deadlineMs: number): Promise<SettledBefore<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}
