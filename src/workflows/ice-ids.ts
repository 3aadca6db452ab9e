/**
 * The one rule for each kind of ICE identifier, for URLs and for free text (names, descriptions), shared by the
 * workflow's input validation and update validators, the client, the CLI, the settings and the callback receiver.
 * Pure and deterministic: safe inside the workflow sandbox.
 */

/** A Basic VoiceId, which the caller chooses: 1–32 letters or digits (docs/ice-api.md#voice-lifecycle-basic). */
export const BASIC_VOICE_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;
/** `BASIC_VOICE_ID_PATTERN` in words, as `InvalidInput` messages state it. */
export const BASIC_VOICE_ID_RULE = 'must be 1-32 letters or digits';

/**
 * Any VoiceId ICE may report: a Basic one, or one ICE assigned to a Standard or CosyVoice voice, like the documented
 * `Voice-l*****` (docs/ice-api.md#editions). ASSUMPTION (docs/ice-api.md#editions): assigned VoiceIds keep to
 * letters, digits, '-' and '_', at most 64; the rule is that loose because they go into logs and workflow IDs only.
 */
export const ICE_VOICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** `ICE_VOICE_ID_PATTERN` in words, for error messages. */
export const ICE_VOICE_ID_RULE = "must be 1-64 letters, digits, '-' or '_'";

/**
 * ICE's JobIds are 32 hex digits (docs/ice-api.md#job-fields); the rule is looser (letters, digits, '-', '_', at
 * most 128) in case that ever changes, and strict enough for logs, workflow input and visibility queries.
 */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** `JOB_ID_PATTERN` in words, for error messages. */
export const JOB_ID_RULE = "must be 1-128 letters, digits, '-' or '_'";

/** VoiceName: at most 32 characters (docs/ice-api.md#editions). */
export const VOICE_NAME_MAX_CHARACTERS = 32;
/** What `isVoiceName` accepts, in words, for error messages. */
export const VOICE_NAME_RULE =
  'must be 1-32 characters without spaces at either end, without control characters (U+0000-U+001F, U+007F-U+009F), line separators or bidirectional overrides';

/**
 * A VoiceName this package accepts: free text by the text rule below, that names the Standard/CosyVoice voice and
 * its workflow ID (`voice-clone-<edition>-<voiceName>`), so also not empty and no spaces at either end, which would
 * make two names look alike.
 */
export function isVoiceName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.trim() === name &&
    name !== '' &&
    textProblem(name, VOICE_NAME_MAX_CHARACTERS) === undefined
  );
}

/**
 * A media ID (training audio, authentication recording). ICE documents no format beyond the SDK's examples (32
 * characters); commas separate several on the wire (`Audios`), so none may contain one, nor whitespace.
 */
export const MEDIA_ID_PATTERN = /^[^\s,]{1,128}$/;
/** `MEDIA_ID_PATTERN` in words, for error messages. */
export const MEDIA_ID_RULE = 'must be a media ID: 1-128 characters, no spaces or commas';

/**
 * Standard's training audio is 15–30 minutes in total, each clip over 1 minute (docs/ice-api.md#editions): more
 * than 29 clips of over a minute cannot stay within 30 minutes.
 */
export const STANDARD_MAX_AUDIO_MEDIA_IDS = 29;

/** Whether `voiceId` is one a caller may choose for a Basic voice (`BASIC_VOICE_ID_PATTERN`); workflow-safe. */
export function isBasicVoiceId(voiceId: string): boolean {
  return BASIC_VOICE_ID_PATTERN.test(voiceId);
}

// ------------------------------------------------------------------------------------------------------------
// Strings from outside: one rule for URLs, one for free text (names, descriptions). Both refuse ASCII control
// characters, and the invisible characters that can make a log line or a name read as something else.
// ------------------------------------------------------------------------------------------------------------

/**
 * Characters no URL, name or description may contain: ASCII controls (U+0000–U+001F, U+007F), C1 controls
 * (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029) and the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069), which reorder how a text is shown. Zero-width joiners stay allowed: scripts and
 * emoji need them.
 */
const FORBIDDEN_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];
/** How the rules name the forbidden characters in their messages. */
export const TEXT_RULE_CHARACTERS =
  'without control characters (U+0000-U+001F, U+007F-U+009F), line separators or bidirectional overrides';

/** True when `text` holds a character no URL, name or description may contain (see above). */
export function hasForbiddenCharacter(text: string): boolean {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (FORBIDDEN_RANGES.some(([first, last]) => code >= first && code <= last)) return true;
  }
  return false;
}

/** The text rule: a string of at most `max` characters (code points) and no forbidden character. */
export function textRule(max: number): string {
  return `must be a string of at most ${max} characters, ${TEXT_RULE_CHARACTERS}`;
}

/** The rule `raw` breaks as free text of at most `max` characters, or undefined when it keeps it. */
export function textProblem(raw: unknown, max: number): string | undefined {
  if (typeof raw !== 'string' || [...raw].length > max || hasForbiddenCharacter(raw)) return textRule(max);
  return undefined;
}

/** The longest URL the package takes. */
export const URL_MAX_CHARACTERS = 2048;

/**
 * The URL rule: an absolute URL with one of `protocols` and a host, at most 2048 characters, no user name or
 * password (they would land in history and logs), and no whitespace or forbidden character: the URL parser drops
 * tabs and newlines silently, so the text checked would not be the text sent.
 */
export function urlProblem(raw: unknown, protocols: readonly string[]): string | undefined {
  const kind = `an ${protocols.map((protocol) => protocol.replace(/:$/, '')).join(' or ')} URL`;
  if (typeof raw !== 'string' || raw.length > URL_MAX_CHARACTERS) {
    return `must be ${kind} of at most ${URL_MAX_CHARACTERS} characters`;
  }
  if (/\s/u.test(raw) || hasForbiddenCharacter(raw)) {
    return `must be ${kind} without spaces, control characters (U+0000-U+001F, U+007F-U+009F), line separators or bidirectional overrides (percent-encode them)`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `must be ${kind}`;
  }
  if (!protocols.includes(url.protocol) || url.hostname === '') return `must be ${kind}`;
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  return undefined;
}

// ------------------------------------------------------------------------------------------------------------
// ICE's callback queue (CallbackType=MNS): ICE's prefix rule and MNS's queue-name rule, checked before any call.
// ------------------------------------------------------------------------------------------------------------

/** The prefix ICE requires of `CallbackQueueName` (docs/ice-api.md#callback-setting). */
export const ICE_CALLBACK_QUEUE_PREFIX = 'ice-callback-';
/** ICE's rule for `CallbackQueueName`, in words, for error messages. */
export const ICE_CALLBACK_QUEUE_RULE = `must start with "${ICE_CALLBACK_QUEUE_PREFIX}" and go on after it (ICE's rule)`;
/** The longest MNS queue name (docs/ice-api.md#callback-setting). */
export const MNS_QUEUE_NAME_MAX_CHARACTERS = 120;
/**
 * MNS's queue-name rule (docs/ice-api.md#callback-setting): letters, digits and '-', at most 120, first a letter
 * (Alibaba's pages differ on whether a digit may come first: the stricter reading).
 */
export const MNS_QUEUE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,119}$/;
/** `MNS_QUEUE_NAME_PATTERN` in words, for error messages. */
export const MNS_QUEUE_NAME_RULE = `must be 1-${MNS_QUEUE_NAME_MAX_CHARACTERS} letters, digits or '-', starting with a letter (MNS's queue-name rule)`;

/**
 * The rule a queue name for ICE's callbacks breaks, or undefined when it keeps both: MNS's queue-name rule, then
 * ICE's prefix. The one check for `configure-callback --mns-queue` and the queue consumer's settings; workflow-safe.
 */
export function iceCallbackQueueNameProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !MNS_QUEUE_NAME_PATTERN.test(raw)) return MNS_QUEUE_NAME_RULE;
  if (!raw.startsWith(ICE_CALLBACK_QUEUE_PREFIX) || raw === ICE_CALLBACK_QUEUE_PREFIX) {
    return ICE_CALLBACK_QUEUE_RULE;
  }
  return undefined;
}
