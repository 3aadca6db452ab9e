/**
 * The one rule for each kind of ICE identifier, shared by the workflow's input validation, the client, the CLI and
 * the callback receiver's envelope check. Pure and deterministic: safe inside the workflow sandbox.
 */

/** A Basic VoiceId, which the caller chooses: 1–32 letters or digits (docs/ice-api.md#voice-lifecycle-basic). */
export const BASIC_VOICE_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;
export const BASIC_VOICE_ID_RULE = 'must be 1-32 letters or digits';

/**
 * Any VoiceId ICE may report: a Basic one, or one ICE assigned to a Standard or CosyVoice voice, like the documented
 * `Voice-l*****` (docs/ice-api.md#editions). ASSUMPTION (docs/ice-api.md#editions): assigned VoiceIds keep to
 * letters, digits, '-' and '_', at most 64; the rule is that loose because they go into logs and workflow IDs only.
 */
export const ICE_VOICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ICE_VOICE_ID_RULE = "must be 1-64 letters, digits, '-' or '_'";

/**
 * ICE's JobIds are 32 hex digits (docs/ice-api.md#job-fields); the rule is looser (letters, digits, '-', '_', at
 * most 128) in case that ever changes, and strict enough for logs, workflow input and visibility queries.
 */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const JOB_ID_RULE = "must be 1-128 letters, digits, '-' or '_'";

/** VoiceName: at most 32 characters (docs/ice-api.md#editions). */
export const VOICE_NAME_MAX_CHARACTERS = 32;
export const VOICE_NAME_RULE = 'must be 1-32 characters, without control characters and without spaces at either end';

/**
 * A VoiceName this package accepts: it names the Standard/CosyVoice voice and its workflow ID
 * (`voice-clone-<edition>-<voiceName>`), so no control characters and no spaces at either end, which would make
 * two names look alike.
 */
export function isVoiceName(name: unknown): name is string {
  if (typeof name !== 'string' || name.trim() !== name) return false;
  const characters = [...name];
  const control = characters.some((character) => {
    const code = character.codePointAt(0) ?? 0;
    return code < 0x20 || code === 0x7f;
  });
  return characters.length >= 1 && characters.length <= VOICE_NAME_MAX_CHARACTERS && !control;
}

/**
 * A media ID (training audio, authentication recording). ICE documents no format beyond the SDK's examples (32
 * characters); commas separate several on the wire (`Audios`), so none may contain one, nor whitespace.
 */
export const MEDIA_ID_PATTERN = /^[^\s,]{1,128}$/;
export const MEDIA_ID_RULE = 'must be a media ID: 1-128 characters, no spaces or commas';

/**
 * Standard's training audio is 15–30 minutes in total, each clip over 1 minute (docs/ice-api.md#editions): more
 * than 29 clips of over a minute cannot stay within 30 minutes.
 */
export const STANDARD_MAX_AUDIO_MEDIA_IDS = 29;

export function isBasicVoiceId(voiceId: string): boolean {
  return BASIC_VOICE_ID_PATTERN.test(voiceId);
}
