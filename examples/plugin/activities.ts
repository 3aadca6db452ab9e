/**
 * The team's own activities, registered next to the ones the voice-clone plugin adds. A stand-in for real speech
 * synthesis: it only reports what it would narrate with which voice.
 */
export interface NarrationRequest {
  episodeId: string;
  voiceId: string;
  script: string[];
}

export interface Narration {
  episodeId: string;
  voiceId: string;
  lines: number;
}

export async function synthesizeNarration(request: NarrationRequest): Promise<Narration> {
  return { episodeId: request.episodeId, voiceId: request.voiceId, lines: request.script.length };
}
