// The API key lives in this tab's sessionStorage only (never localStorage, a cookie or a URL): it leaves with the tab.
const SLOT = 'zootask.apiKey';

export function currentKey() {
  try {
    return sessionStorage.getItem(SLOT);
  } catch {
    return null;
  }
}

export function rememberKey(key) {
  sessionStorage.setItem(SLOT, key);
}

export function forgetKey() {
  sessionStorage.removeItem(SLOT);
}
