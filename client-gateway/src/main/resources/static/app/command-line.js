/**
 * The arguments of a command line as a POSIX shell would split it, without running a shell: whitespace separates,
 * single quotes keep everything literal, double quotes keep whitespace (a backslash escapes " and \ inside them),
 * a backslash outside quotes escapes the next character. A JSON array of strings is taken as it is.
 */
export function parseCommand(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`The JSON array of arguments does not parse: ${e.message}`);
    }
    if (!Array.isArray(parsed) || parsed.some((arg) => typeof arg !== 'string')) {
      throw new Error('A JSON command must be an array of strings.');
    }
    return parsed;
  }
  const args = [];
  let current = '';
  let inArg = false;
  let quote = null;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (trimmed[i + 1] === '"' || trimmed[i + 1] === '\\')) current += trimmed[++i];
      else current += c;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      inArg = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < trimmed.length) current += trimmed[++i];
      else current += c;
    }
  }
  if (quote) throw new Error(`The command line has an unclosed ${quote} quote.`);
  if (inArg) args.push(current);
  return args;
}

/** name=value pairs separated by whitespace or commas, as an object; throws on a pair without a name. */
export function parseLabels(text) {
  const labels = {};
  for (const pair of text.split(/[\s,]+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair}" is not name=value.`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}
