import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ICE_OPERATIONS } from '../../src/ice/operations';
import { ICE_ACTIONS } from '../../src/ice/types';

describe('ICE operation table', () => {
  it('sends each ICE action from exactly one client method', () => {
    const actions = Object.values(ICE_OPERATIONS).map((operation) => operation.action);
    assert.deepEqual([...actions].sort(), [...ICE_ACTIONS].sort());
  });

  it('leaves out parameters not given and joins lists as ICE expects', () => {
    assert.deepEqual(ICE_OPERATIONS.listCustomizedVoiceJobs.query({ pageNo: 2 }), { PageNo: '2' });
    assert.deepEqual(
      ICE_OPERATIONS.submitStandardCustomizedVoiceJob.query({
        voiceName: 'Anna',
        gender: 'female',
        authentication: 'auth1',
        audios: ['a1', 'a2'],
      }),
      { Audios: 'a1,a2', Authentication: 'auth1', Gender: 'female', VoiceName: 'Anna' },
    );
  });

  it('names the callback AuthKey as a secret to scrub', () => {
    const request = {
      callbackType: 'HTTP' as const,
      callbackUrl: 'https://cb.example.com/ice',
      eventTypeList: ['A', 'B'],
      authSwitch: 'on' as const,
      authKey: 'Key12345',
    };
    assert.deepEqual(ICE_OPERATIONS.setEventCallback.query(request), {
      AuthKey: 'Key12345',
      AuthSwitch: 'on',
      CallbackType: 'HTTP',
      CallbackURL: 'https://cb.example.com/ice',
      EventTypeList: 'A,B',
    });
    assert.deepEqual(ICE_OPERATIONS.setEventCallback.secrets?.(request), ['Key12345']);
  });

  it('sends an MNS setting as the SDK does: CallbackQueueName, no URL and no auth fields', () => {
    const request = {
      callbackType: 'MNS' as const,
      callbackQueueName: 'ice-callback-voice',
      eventTypeList: ['A', 'B'],
    };
    assert.deepEqual(ICE_OPERATIONS.setEventCallback.query(request), {
      CallbackQueueName: 'ice-callback-voice',
      CallbackType: 'MNS',
      EventTypeList: 'A,B',
    });
    assert.deepEqual(ICE_OPERATIONS.setEventCallback.secrets?.(request), []);
  });
});
