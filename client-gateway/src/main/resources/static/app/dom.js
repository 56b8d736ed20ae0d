// Every piece of task or cluster data reaches the page as text (textContent), never as markup.

export const $ = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'className') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function setText(node, value) {
  const text = value === undefined || value === null || value === '' ? '–' : String(value);
  if (node.textContent !== text) node.textContent = text;
}

export function showError(node, message) {
  node.textContent = message || '';
  node.hidden = !message;
}
