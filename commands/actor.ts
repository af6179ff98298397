/** Where a request came from. The schedule and the terminal are trusted; chat users are checked. */
export type Surface = 'slack' | 'discord' | 'cli' | 'schedule';

/**
 * Who asks for an operation, whatever the surface: `id` is what admin lists
 * hold (a Slack or Discord user id, the Unix user), `label` is how other people
 * are told about them (a Slack mention `<@U1>`, `cli (user@host)`, `schedule`),
 * also in the lock's holder and the audit. `roles` are the chat roles the
 * surface saw on the user (Discord's role ids), for role-based admin lists.
 */
export interface Actor {
  surface: Surface;
  id: string;
  label: string;
  roles?: readonly string[];
}

/** What an actor may ask for: the names of the commands. */
export type Action = 'backup' | 'restore' | 'import' | 'drill' | 'prune' | 'status' | 'list' | 'help' | (string & {});

/**
 * Who administers the bot, per chat surface (from config): SLACK_ADMINS user
 * ids; Discord's DISCORD_ADMINS user ids and DISCORD_ADMIN_ROLE role ids go in
 * `discord` (a user holding one of `roles` is an admin too).
 */
export interface AdminLists {
  slack?: readonly string[];
  discord?: { users: readonly string[]; roles?: readonly string[] };
}

/** Commands that change the stack or its backups: only administrators may run them from a chat. */
const ADMIN_ONLY = new Set<string>(['backup', 'restore', 'import', 'drill', 'prune']);

export interface RefusalReply {
  kind: 'refusal';
  /** What was refused, as the user asked for it (`backup`, `restore`). */
  command: string;
  /** Who may do it instead, as ids of the actor's surface (Slack user ids for Slack). */
  admins: readonly string[];
}

/** Whether `command` needs an administrator. Status, list and help are open to everyone. */
export function isAdminOnly(command: string): boolean {
  return ADMIN_ONLY.has(command);
}

/** Whether `actor` is an administrator of its surface (the terminal and the schedule always are). */
export function isAdmin(actor: Actor, admins: AdminLists): boolean {
  switch (actor.surface) {
    case 'cli':
    case 'schedule':
      return true;
    case 'slack':
      return (admins.slack ?? []).includes(actor.id);
    case 'discord': {
      const discord = admins.discord;
      if (!discord) return false;
      return discord.users.includes(actor.id) || (actor.roles ?? []).some((role) => (discord.roles ?? []).includes(role));
    }
  }
}

/**
 * Who may do what: null when `actor` may run `action`, otherwise the refusal
 * to show, naming who can. Chat surfaces call it for commands and again for
 * every button press, since anyone in a channel can press a button on someone
 * else's message.
 */
export function authorize(actor: Actor, action: Action, admins: AdminLists): RefusalReply | null {
  if (!isAdminOnly(action) || isAdmin(actor, admins)) return null;
  const named = actor.surface === 'discord' ? (admins.discord?.users ?? []) : (admins.slack ?? []);
  return { kind: 'refusal', command: action, admins: named };
}

/** The Slack user `userId` as an actor. */
export function slackActor(userId: string): Actor {
  return { surface: 'slack', id: userId, label: `<@${userId}>` };
}

/** The schedule as an actor. */
export const SCHEDULE_ACTOR: Actor = { surface: 'schedule', id: 'schedule', label: 'schedule' };
