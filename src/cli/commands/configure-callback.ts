import {
  applyIceCallbackPlan,
  ConfigureCallbackError,
  describeReplacedCallback,
  FORWARD_URL_VARIABLE,
  planIceCallback,
  type ConfigureIceCallbackOptions,
  type ConfiguredIceCallback,
  type IceCallbackPlan,
  type IceCallbackSettings,
  type PlannedIceCallback,
} from '../../callback/configure-callback';
import { loadIceClientConfig } from '../../config';
import { createIceClient } from '../../ice';
import { iceCallbackQueueNameProblem, urlProblem } from '../../workflows/ice-ids';
import { createLogger } from '../../observability/logger';
import {
  EXIT_FAILURE,
  EXIT_OK,
  listOption,
  stringOption,
  UsageError,
  type CommandSpec,
  type ParsedValues,
} from '../args';
import type { CliIo, Command } from '../context';

const spec: CommandSpec = {
  name: 'configure-callback',
  summary:
    "Point ICE's event callback at the callback receiver (SetEventCallback, CallbackType HTTP) or at an MNS queue\n" +
    "(CallbackType MNS), sharing the account's one callback setting: it reads GetEventCallback first, refuses to\n" +
    'replace another endpoint without --replace, keeps every subscribed event type, and prints the settings ICE\n' +
    'reports back, without the auth key.',
  options: {
    url: {
      type: 'string',
      value: '<url>',
      description: "Public URL ICE posts to (≤256 bytes); must equal the receiver's ICE_CALLBACK_URL.",
    },
    'mns-queue': {
      type: 'string',
      value: '<name>',
      description: 'Instead of --url: ICE writes events into this MNS queue of its region (ice-callback-…, unsigned).',
    },
    'auth-key': {
      type: 'string',
      value: '<key>',
      description: 'Turn signing on with this key (≤32 letters+digits with upper, lower case and a digit).',
    },
    unsigned: { type: 'boolean', description: 'Turn signing off (AuthSwitch=off). Not for production.' },
    'event-type': {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: "Add this event type to the account's EventTypeList (never removes one).",
    },
    replace: {
      type: 'boolean',
      description: 'Take over a callback that points at another URL or MNS queue (prints how to forward).',
    },
    'dry-run': { type: 'boolean', description: 'Print what would be set; change nothing.' },
    json: { type: 'boolean', description: 'Print JSON for scripts (before and after settings) instead of text.' },
  },
  notes: [
    'ICE keeps one callback setting per account and region, shared by every ICE feature the account uses. The same',
    'URL or queue is updated in place; another URL or queue is left alone (exit 1) unless --replace is given. After',
    `replacing a URL, give the receiver (or the queue consumer) the printed ${FORWARD_URL_VARIABLE}=<old url> so`,
    'the old endpoint keeps getting its events. Exit codes: 0 set (or would set), 1 refused or failed, 2 bad usage.',
    'ICE settings: ICE_REGION / ICE_ENDPOINT and Alibaba credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET or the',
    'default credential chain). RAM actions needed: ice:SetEventCallback, ice:GetEventCallback.',
    'The receiver must run with ICE_CALLBACK_URL=<url> and the key in ICE_CALLBACK_AUTH_KEYS.',
    'An --mns-queue name is "ice-callback-" (ICE) then letters, digits or \'-\', at most 120 characters in all (MNS);',
    "the queue must exist in ICE's region, and callback-consumer reads it. MNS mode is unsigned: no --auth-key.",
  ],
};

type Outcome = 'applied' | 'dry-run' | 'refused';

/** A setting as text, indented; never the key, only whether there is one. */
function settingLines(settings: IceCallbackSettings | PlannedIceCallback, keyWording?: string): string[] {
  const types = settings.eventTypeList.length > 0 ? settings.eventTypeList.join(',') : '(empty: ICE default)';
  const target =
    settings.callbackType === 'MNS'
      ? [`MNS queue       ${'callbackQueueName' in settings ? (settings.callbackQueueName ?? '') : ''}`]
      : [`Callback URL    ${'callbackUrl' in settings ? settings.callbackUrl : ''}`];
  // AuthSwitch and AuthKey take effect only for HTTP (docs/ice-api.md#callback-setting).
  const auth =
    settings.callbackType === 'MNS' || !('authSwitch' in settings)
      ? []
      : [`Auth switch     ${settings.authSwitch}`, `Auth key        ${keyWording ?? settings.authKey}`];
  return [
    `Callback type   ${settings.callbackType}`,
    ...target,
    `Event types     ${types}`,
    ...auth,
    ...('requestId' in settings ? [`RequestId       ${settings.requestId}`] : []),
  ].map((line) => `  ${line}`);
}

function replacementLines(plan: IceCallbackPlan, outcome: Outcome): string[] {
  const replaced = plan.replaces;
  if (!replaced) return [];
  if (replaced.kind === 'mns') return [];
  const verb = outcome === 'applied' ? 'Give' : 'After the change, give';
  const reader = plan.planned.callbackType === 'MNS' ? 'the callback consumer (callback-consumer)' : 'the receiver';
  const lines = [
    `${verb} ${reader} this line so that ${replaced.url} keeps getting its events:`,
    `${FORWARD_URL_VARIABLE}=${replaced.url}`,
  ];
  if (replaced.signed) {
    lines.push(
      'The replaced setting signed its callbacks: also set ICE_CALLBACK_FORWARD_AUTH_KEY to its key (not shown).',
    );
  }
  return lines;
}

function printText(io: CliIo, outcome: Outcome, plan: IceCallbackPlan, after?: ConfiguredIceCallback): void {
  const lines: string[] = [];
  if (outcome === 'refused') {
    lines.push("ICE's event callback belongs to another endpoint; nothing changed. Current setting:");
    lines.push(...settingLines(plan.before as IceCallbackSettings));
    lines.push('Rerun with --replace to take it over (check --dry-run first).');
  } else {
    if (plan.before) {
      lines.push('Before:', ...settingLines(plan.before));
    } else {
      lines.push('Before:', '  (no callback set)');
    }
    if (outcome === 'dry-run') {
      const keySet = plan.planned.callbackType === 'HTTP' && plan.planned.authKey === '[set]';
      const keyWording = keySet ? 'would be set' : 'would not be set';
      lines.push('Would set (dry run, nothing written):');
      lines.push(...settingLines(plan.planned, keyWording));
    } else if (after) {
      lines.push('After (as ICE reports it):', ...settingLines(after));
    }
    lines.push(...replacementLines(plan, outcome));
  }
  for (const note of plan.notes) lines.push(`Note: ${note}`);
  io.out(lines.join('\n'));
}

function printJson(io: CliIo, outcome: Outcome, plan: IceCallbackPlan, after?: ConfiguredIceCallback): void {
  const forwardLine = plan.replaces?.kind === 'url' ? `${FORWARD_URL_VARIABLE}=${plan.replaces.url}` : undefined;
  const afterSettings = after
    ? (({ before: _before, replaced: _replaced, forwardLine: _line, notes: _notes, ...settings }) => settings)(after)
    : (plan.before ?? null);
  io.out(
    JSON.stringify({
      outcome,
      before: plan.before ?? null,
      planned: plan.planned,
      // The setting in effect once the command has run: unchanged after a dry run or a refusal.
      after: afterSettings,
      replaces: plan.replaces ?? null,
      forwardLine: outcome === 'refused' ? null : (forwardLine ?? null),
      notes: plan.notes,
    }),
  );
}

/** The callback target and signing flags as options; a bad or missing one is a UsageError (exit 2). */
function targetOptions(values: ParsedValues): ConfigureIceCallbackOptions {
  const url = stringOption(values, 'url');
  const mnsQueue = stringOption(values, 'mns-queue');
  const authKey = stringOption(values, 'auth-key');
  const eventTypes = listOption(values, 'event-type');
  if (url !== undefined && mnsQueue !== undefined) {
    throw new UsageError('configure-callback: --url and --mns-queue exclude each other (one callback per account)');
  }
  if (mnsQueue !== undefined) {
    const queueRuleBroken = iceCallbackQueueNameProblem(mnsQueue);
    if (queueRuleBroken !== undefined) throw new UsageError(`configure-callback: --mns-queue ${queueRuleBroken}`);
    if (authKey !== undefined || values.unsigned === true) {
      throw new UsageError('configure-callback: --auth-key and --unsigned apply only to --url (MNS mode is unsigned)');
    }
    return { mnsQueue, eventTypes };
  }
  if (url === undefined || url.trim() === '') {
    throw new UsageError('configure-callback: give --url <url> or --mns-queue <name>');
  }
  const urlRuleBroken = urlProblem(url, ['http:', 'https:']);
  if (urlRuleBroken !== undefined) throw new UsageError(`configure-callback: --url ${urlRuleBroken}`);
  if (authKey === undefined && values.unsigned !== true) {
    throw new UsageError('configure-callback: give --auth-key <key> (recommended) or --unsigned');
  }
  if (authKey !== undefined && values.unsigned === true) {
    throw new UsageError('configure-callback: --auth-key and --unsigned exclude each other');
  }
  return { url, ...(authKey !== undefined && { authKey }), eventTypes };
}

export const command: Command = {
  spec,
  async run({ values }, context) {
    const options = targetOptions(values);
    const logger = createLogger('configure-callback', context.logLevel);
    const ice = createIceClient(loadIceClientConfig(context.env), { logger });
    const plan = await planIceCallback(ice, options).catch((error: unknown) => {
      // A URL, queue, key or event type the user can fix is bad usage (exit 2), like any other flag.
      if (error instanceof ConfigureCallbackError && error.code.startsWith('Invalid')) {
        throw new UsageError(`configure-callback: ${error.message}`);
      }
      throw error;
    });
    const print = values.json === true ? printJson : printText;
    if (plan.replaces && values.replace !== true) {
      print(context.io, 'refused', plan);
      context.io.err(
        `configure-callback: ICE's callback already delivers to ${describeReplacedCallback(plan.replaces)}; ` +
          'give --replace to take it over',
      );
      return EXIT_FAILURE;
    }
    if (values['dry-run'] === true) {
      print(context.io, 'dry-run', plan);
      return EXIT_OK;
    }
    const after = await applyIceCallbackPlan(ice, plan, options);
    print(context.io, 'applied', plan, after);
    return EXIT_OK;
  },
};
