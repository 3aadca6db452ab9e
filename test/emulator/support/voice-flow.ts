/** Drives a voice up to an accepted submit through the wire, for tests that need training jobs. */
import type { WireClient } from './ice-wire';

export async function submitVoice(ice: WireClient, voiceId: string): Promise<string> {
  const created = await ice.ok('CreateCustomizedVoiceJob', {
    VoiceId: voiceId,
    Gender: 'male',
    Scenario: 'navigation',
  });
  await ice.ok('DetectAudioForCustomizedVoiceJob', {
    VoiceId: voiceId,
    RecordUrl: `https://b.oss-cn-shanghai.aliyuncs.com/${voiceId}/1.wav`,
    AudioRecordId: '1',
  });
  await ice.ok('SubmitCustomizedVoiceJob', { VoiceId: voiceId });
  return (created.Data as { JobId: string }).JobId;
}
