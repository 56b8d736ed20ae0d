export const TERMINAL = new Set(['done', 'failed', 'timed_out', 'cancelled']);

export function isTerminal(state) {
  return TERMINAL.has(state);
}

/** A short local time for a table cell, the full date in the title. */
export function time(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const today = new Date();
  const sameDay = at.toDateString() === today.toDateString();
  return sameDay
    ? at.toLocaleTimeString([], { hour12: false })
    : `${at.toLocaleDateString()} ${at.toLocaleTimeString([], { hour12: false })}`;
}

export function dateTime(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '' : at.toLocaleString([], { hour12: false });
}

/** A command as a shell user would read it back: arguments with spaces or quotes quoted. */
export function commandLine(command) {
  if (!Array.isArray(command)) return '';
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
