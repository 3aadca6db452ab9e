/**
 * What the Standard and CosyVoice submits accept (docs/ice-api.md#editions), and the emulator's deterministic
 * stand-ins for what it cannot see: the length of an audio and the speaker's voiceprint.
 * ASSUMPTION (docs/ice-api.md#editions): which parameters ICE requires is undocumented; the emulator requires all
 * but DemoAudioMediaURL, each with ICE's usual MissingParameter / InvalidParameter.
 */
import { MEDIA_ID_PATTERN, STANDARD_MAX_AUDIO_MEDIA_IDS } from '../workflows/ice-ids';
import { COSYVOICE_MODELS, type VoiceGender } from '../ice/types';
import { enumParam, maxLength, optionalParam, requiredParam, type WireParams } from './params';
import type { NamedVoiceWireSubmit } from './voice-job-book';
import { invalidParameter } from './wire-error';

const GENDERS: readonly VoiceGender[] = ['female', 'male'];

/**
 * Standard's training audio must be 15–30 minutes in total, each over 1 minute (docs/ice-api.md#editions). The
 * emulator cannot measure a media asset, so it counts: each media ID stands for one clip of unknown length, and
 * 1 to 29 distinct IDs are accepted (more than 29 clips of over a minute each cannot stay within 30 minutes).
 */
export const STANDARD_MAX_AUDIOS = STANDARD_MAX_AUDIO_MEDIA_IDS;
/** A media ID containing this stands for a clip of under one minute, which Standard refuses. */
export const SHORT_AUDIO_MARKER = 'short-audio';
/**
 * An Authentication media ID containing this stands for a recording whose voiceprint differs from the training
 * audio: the job is accepted and then fails, as ICE documents (docs/ice-api.md#editions).
 */
export const VOICEPRINT_MISMATCH_MARKER = 'voiceprint-mismatch';
/** The job's Message when training fails on a voiceprint mismatch. */
export const VOICEPRINT_MISMATCH_MESSAGE =
  'Training failed: the voiceprint of the authentication audio differs from that of the training audio.';

function mediaIds(params: WireParams, name: string): string[] {
  const ids = requiredParam(params, name)
    .split(',')
    .map((id) => id.trim());
  for (const id of ids) {
    if (!MEDIA_ID_PATTERN.test(id)) throw invalidParameter(name, 'must be media IDs separated by commas, none empty');
  }
  return ids;
}

function voiceNameParam(params: WireParams): string {
  const voiceName = requiredParam(params, 'VoiceName');
  maxLength('VoiceName', voiceName, 32);
  return voiceName;
}

export function standardSubmit(params: WireParams): NamedVoiceWireSubmit {
  const voiceName = voiceNameParam(params);
  const gender = enumParam(params, 'Gender', GENDERS);
  const authentication = mediaIds(params, 'Authentication');
  if (authentication.length !== 1) throw invalidParameter('Authentication', 'must be exactly one media ID');
  const audios = mediaIds(params, 'Audios');
  if (audios.length > STANDARD_MAX_AUDIOS) {
    throw invalidParameter(
      'Audios',
      `the audio must total 15 to 30 minutes, each over 1 minute: at most ${STANDARD_MAX_AUDIOS} media IDs`,
    );
  }
  if (new Set(audios).size !== audios.length) throw invalidParameter('Audios', 'must not name a media ID twice');
  const short = audios.find((id) => id.includes(SHORT_AUDIO_MARKER));
  if (short !== undefined) throw invalidParameter('Audios', `media ${short} is not over 1 minute long`);
  return {
    edition: 'Standard',
    voiceName,
    gender,
    audioMediaIds: audios,
    authenticationMediaId: authentication[0],
    demoAudioMediaUrl: optionalParam(params, 'DemoAudioMediaURL'),
  };
}

export function cosyVoiceSubmit(params: WireParams): NamedVoiceWireSubmit {
  const voiceName = voiceNameParam(params);
  const gender = enumParam(params, 'Gender', GENDERS);
  const audios = mediaIds(params, 'Audios');
  if (audios.length !== 1) throw invalidParameter('Audios', 'must be exactly one media ID (CosyVoice trains on one)');
  const model = enumParam(params, 'Model', COSYVOICE_MODELS);
  return {
    edition: 'CosyVoice',
    voiceName,
    gender,
    audioMediaIds: audios,
    model,
    demoAudioMediaUrl: optionalParam(params, 'DemoAudioMediaURL'),
  };
}
