/** The 20 sentences a speaker reads (GetDemonstrationForCustomizedVoiceJob); AudioId 1..20. */
import type { VoiceScenario } from '../ice/types';

const SENTENCES = [
  '今天的天气非常好，我们一起去公园散步吧。',
  '请在下一个路口向右转，然后直行五百米。',
  '从前有一座山，山里有一座古老的寺庙。',
  '感谢您的来电，请问有什么可以帮您？',
  '春天来了，小草从土里探出了头。',
  '前方道路拥堵，建议您选择其他路线。',
  '小明每天早上七点起床，然后去上学。',
  '您的快递已经送达，请及时领取。',
  '夜晚的星空格外明亮，月亮也露出了笑脸。',
  '请系好安全带，我们马上就要出发了。',
  '图书馆里很安静，大家都在认真读书。',
  '您好，欢迎使用智能语音服务。',
  '秋天的果园里，苹果和梨都成熟了。',
  '已为您规划最快路线，全程约二十分钟。',
  '小兔子蹦蹦跳跳地回到了自己的家。',
  '如果您需要人工服务，请按零号键。',
  '海边的风很大，浪花拍打着礁石。',
  '即将到达目的地，请注意右侧车辆。',
  'Hello, this sentence checks English pronunciation.',
  '故事讲完了，祝你做一个甜甜的美梦。',
];

export interface DemonstrationWire {
  AudioId: number;
  Text: string;
  DemoAudio: string;
}

/** DemoAudio URLs look like ICE's signed OSS links, which expire after 12 hours. */
export function demonstrationList(scenario: VoiceScenario, nowMs: number): DemonstrationWire[] {
  const expires = Math.floor(nowMs / 1000) + 12 * 3600;
  return SENTENCES.map((text, index) => ({
    AudioId: index + 1,
    Text: text,
    DemoAudio: `https://ice-emulator.oss-cn-shanghai.aliyuncs.com/demonstration/${scenario}/${index + 1}.wav?Expires=${expires}`,
  }));
}
