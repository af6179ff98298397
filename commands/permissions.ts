/** Commands that change the stack or its backups: only SLACK_ADMINS may run them. */
const ADMIN_ONLY = new Set(['backup', 'restore']);

export interface RefusalReply {
  kind: 'refusal';
  /** What was refused, as the user asked for it (`backup`, `restore`). */
  command: string;
  /** Who may do it instead. */
  admins: readonly string[];
}

/** Whether `command` needs an administrator. Status, list and help are open to everyone. */
export function isAdminOnly(command: string): boolean {
  return ADMIN_ONLY.has(command);
}

/**
 * Who may do what: null when `userId` may run `command`, otherwise the refusal
 * to show, naming who can. Called for slash commands and again for every button
 * press, since anyone in the channel can press a button on someone else's message.
 */
export function authorize(command: string, userId: string, admins: readonly string[]): RefusalReply | null {
  if (!isAdminOnly(command) || admins.includes(userId)) return null;
  return { kind: 'refusal', command, admins };
}
