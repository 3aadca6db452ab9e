import { randomInt } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/**
 * A fresh callback auth key for the local stack: 32 letters and digits with at least one upper-case letter,
 * lower-case letter and digit (ICE's rule). Kept in memory only, never printed or written to disk.
 */
export function generateCallbackAuthKey(length = 32): string {
  const all = UPPER + LOWER + DIGITS;
  const chars = [UPPER, LOWER, DIGITS].map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  // Shuffle so that the required classes are not always in front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
