import { COMMANDS, type Surface } from './catalog.js';

export interface HelpReply {
  kind: 'help';
  /** Set when the user asked for something that does not exist. */
  unknown?: string;
  entries: { usage: string; summary: string }[];
}

/** Usage for one surface; `unknown` names the subcommand that was not understood, if any. */
export function helpCommand(surface: Surface, unknown?: string): HelpReply {
  const entries = COMMANDS.flatMap((command) => {
    const usage = command[surface];
    return usage === null ? [] : [{ usage, summary: command.summary }];
  });
  return { kind: 'help', unknown, entries };
}
