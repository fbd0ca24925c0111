/**
 * How a person reads in the lists of people (the dashboard's search and its
 * not-arrived list, the scanner's find-by-name): the name, then the e-mail
 * when the caller may see it; each list adds its own status, note or button.
 * `classes` are the page's own (`dash-result-who`, `desk-who`, ...).
 */
export function attendeeWho(a: { name: string; email?: string | null | undefined }, classes: { box: string; name: string }, nameTestId?: string): HTMLDivElement {
  const who = document.createElement('div');
  who.className = classes.box;
  const name = document.createElement('span');
  name.className = classes.name;
  if (nameTestId) name.dataset.testid = nameTestId;
  name.textContent = a.name;
  who.append(name);
  if (a.email) {
    const email = document.createElement('span');
    email.className = 'hint';
    email.textContent = a.email;
    who.append(email);
  }
  return who;
}
