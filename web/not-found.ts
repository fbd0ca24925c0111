/**
 * The page the server answers, with status 404, for an unknown URL a person
 * opened (src/http/not-found.ts): says what was not found and offers the way
 * home, in the language every other page uses.
 */
import { setText } from './lib/i18n.js';
import { byId, initPage } from './lib/page.js';

initPage();

// The address as the person typed it; textContent, so nothing in it is markup.
let path = location.pathname;
try {
  path = decodeURI(path);
} catch {
  // a malformed %-sequence: show it as it came
}
setText(byId('not-found-body'), 'notFound.body', { path });
