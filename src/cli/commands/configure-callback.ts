import {
  applyIceCallbackPlan,
  ConfigureCallbackError,
  FORWARD_URL_VARIABLE,
  planIceCallback,
  type ConfiguredIceCallback,
  type IceCallbackPlan,
  type IceCallbackSettings,
  type PlannedIceCallback,
} from '../../callback/configure-callback';
import { loadIceClientConfig } from '../../config';
import { createIceClient } from '../../ice';
import { urlProblem } from '../../workflows/ice-ids';
import { createLogger } from '../../observability/logger';
import { EXIT_FAILURE, EXIT_OK, listOption, requiredString, stringOption, UsageError, type CommandSpec } from '../args';
import type { CliIo, Command } from '../context';

const spec: CommandSpec = {
  name: 'configure-callback',
  summary:
    "Point ICE's event callback at the callback receiver (SetEventCallback, CallbackType HTTP), sharing the\n" +
    "account's one callback setting: it reads GetEventCallback first, refuses to replace another endpoint without\n" +
    '--replace, keeps every subscribed event type, and prints the settings ICE reports back, without the auth key.',
  options: {
    url: {
      type: 'string',
      value: '<url>',
      description: "Public URL ICE posts to (≤256 bytes); must equal the receiver's ICE_CALLBACK_URL.",
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
      description: 'Take over a callback that points at another URL or an MNS queue (prints how to forward).',
    },
    'dry-run': { type: 'boolean', description: 'Print what would be set; change nothing.' },
    json: { type: 'boolean', description: 'Print JSON for scripts (before and after settings) instead of text.' },
  },
  notes: [
    'ICE keeps one callback setting per account and region, shared by every ICE feature the account uses. The same',
    'URL is updated in place; another URL or an MNS queue is left alone (exit 1) unless --replace is given. After',
    `replacing a URL, give the receiver the printed ${FORWARD_URL_VARIABLE}=<old url> so the old endpoint keeps`,
    'getting its events. Exit codes: 0 set (or would set), 1 refused or failed, 2 bad usage.',
    'ICE settings: ICE_REGION / ICE_ENDPOINT and Alibaba credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET or the',
    'default credential chain). RAM actions needed: ice:SetEventCallback, ice:GetEventCallback.',
    'The receiver must run with ICE_CALLBACK_URL=<url> and the key in ICE_CALLBACK_AUTH_KEYS.',
  ],
};

type Outcome = 'applied' | 'dry-run' | 'refused';

/** A setting as text, indented; never the key, only whether there is one. */
function settingLines(settings: IceCallbackSettings | PlannedIceCallback, keyWording?: string): string[] {
  const mns = settings.callbackType === 'MNS';
  const queue = 'callbackQueueName' in settings ? (settings.callbackQueueName ?? '') : '';
  const types = settings.eventTypeList.length > 0 ? settings.eventTypeList.join(',') : '(empty: ICE default)';
  return [
    `Callback type   ${settings.callbackType}`,
    mns ? `MNS queue       ${queue}` : `Callback URL    ${settings.callbackUrl}`,
    `Event types     ${types}`,
    ...(mns ? [] : [`Auth switch     ${settings.authSwitch}`, `Auth key        ${keyWording ?? settings.authKey}`]),
    ...('requestId' in settings ? [`RequestId       ${settings.requestId}`] : []),
  ].map((line) => `  ${line}`);
}

function replacementLines(plan: IceCallbackPlan, outcome: Outcome): string[] {
  const replaced = plan.replaces;
  if (!replaced) return [];
  if (replaced.kind === 'mns') return [];
  const verb = outcome === 'applied' ? 'Give' : 'After the change, give';
  const lines = [
    `${verb} the receiver this line so that ${replaced.url} keeps getting its events:`,
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
      const keyWording = plan.planned.authKey === '[set]' ? 'would be set' : 'would not be set';
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

export const command: Command = {
  spec,
  async run({ values }, context) {
    const url = requiredString(spec, values, 'url');
    const urlRuleBroken = urlProblem(url, ['http:', 'https:']);
    if (urlRuleBroken !== undefined) throw new UsageError(`configure-callback: --url ${urlRuleBroken}`);
    const authKey = stringOption(values, 'auth-key');
    if (authKey === undefined && values.unsigned !== true) {
      throw new UsageError('configure-callback: give --auth-key <key> (recommended) or --unsigned');
    }
    if (authKey !== undefined && values.unsigned === true) {
      throw new UsageError('configure-callback: --auth-key and --unsigned exclude each other');
    }
    const logger = createLogger('configure-callback', context.logLevel);
    const ice = createIceClient(loadIceClientConfig(context.env), { logger });
    const eventTypes = listOption(values, 'event-type');
    const options = { url, ...(authKey !== undefined && { authKey }), eventTypes };
    const plan = await planIceCallback(ice, options).catch((error: unknown) => {
      // A URL, key or event type the user can fix is bad usage (exit 2), like any other flag.
      if (error instanceof ConfigureCallbackError && error.code.startsWith('Invalid')) {
        throw new UsageError(`configure-callback: ${error.message}`);
      }
      throw error;
    });
    const print = values.json === true ? printJson : printText;
    if (plan.replaces && values.replace !== true) {
      print(context.io, 'refused', plan);
      const target = plan.replaces.kind === 'url' ? plan.replaces.url : `the MNS queue ${plan.replaces.queueName}`;
      context.io.err(
        `configure-callback: ICE's callback already delivers to ${target}; give --replace to take it over`,
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
