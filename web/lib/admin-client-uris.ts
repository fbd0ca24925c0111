/**
 * The console's part for an application's redirect URIs, post-logout
 * redirect URIs, grant types and back-channel logout URI: the same fields in
 * the register form and in the Edit dialog (one id prefix each), what the
 * list shows of them, and the dialog that changes them (PATCH). The URIs
 * themselves are checked by the server, whose message names the one refused.
 */
import type { Client, UriSettings } from './admin-api.js';
import { updateClientUris } from './admin-api.js';
import { hideAdminError, showAdminError } from './admin-errors.js';
import { byId, show } from './page.js';
import { setText, t, type MessageKey } from './i18n.js';

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const GRANT_LABELS: Record<string, MessageKey> = {
  [DEVICE_GRANT]: 'admin.grant.device_code',
  authorization_code: 'admin.grant.authorization_code',
  refresh_token: 'admin.grant.refresh_token',
};

/** One set of the fields, found by the prefix of its ids ('' in the register form, 'edit-' in the dialog). */
export class UriFields {
  readonly redirect: HTMLTextAreaElement;
  readonly postLogout: HTMLTextAreaElement;
  readonly grantsBox: HTMLElement;
  readonly backchannel: HTMLInputElement;
  private readonly grantsError: string;
  /** Until someone ticks a grant, the grants follow the redirect URIs as the server's default does. */
  private grantsTouched = false;

  constructor(prefix: string) {
    this.redirect = byId<HTMLTextAreaElement>(`${prefix}redirect-uris`);
    this.postLogout = byId<HTMLTextAreaElement>(`${prefix}post-logout-uris`);
    this.grantsBox = byId(`${prefix}grants`);
    this.backchannel = byId<HTMLInputElement>(`${prefix}backchannel-uri`);
    this.grantsError = `${prefix}grants-error`;
    for (const b of this.grantBoxes()) {
      b.addEventListener('change', () => {
        this.grantsTouched = true;
        this.grantError(null);
      });
    }
    this.redirect.addEventListener('input', () => {
      this.grantError(null);
      if (this.grantsTouched) return;
      const some = lines(this.redirect.value).length > 0;
      for (const b of this.grantBoxes()) if (b.value !== DEVICE_GRANT) b.checked = some;
    });
  }

  private grantBoxes(): HTMLInputElement[] {
    return [...this.grantsBox.querySelectorAll<HTMLInputElement>('input[name="grant"]')];
  }

  /** What is in the fields, as the API takes it. */
  values(): UriSettings {
    const backchannel = this.backchannel.value.trim();
    return {
      redirect_uris: lines(this.redirect.value),
      post_logout_redirect_uris: lines(this.postLogout.value),
      grant_types: this.grantBoxes().filter((b) => b.checked).map((b) => b.value),
      backchannel_logout_uri: backchannel || null,
    };
  }

  fill(c: Pick<Client, 'redirect_uris' | 'post_logout_redirect_uris' | 'grant_types' | 'backchannel_logout_uri'>): void {
    this.redirect.value = c.redirect_uris.join('\n');
    this.postLogout.value = c.post_logout_redirect_uris.join('\n');
    for (const b of this.grantBoxes()) b.checked = c.grant_types.includes(b.value);
    this.backchannel.value = c.backchannel_logout_uri ?? '';
    this.grantsTouched = true;
    this.grantError(null);
  }

  /** Back to a new application's defaults (after the form's own reset). */
  reset(): void {
    this.grantsTouched = false;
    this.grantError(null);
  }

  /** The checks the page can make before sending: a grant ticked; the code grant with a redirect URI. False (and says why) when they fail. */
  check(): boolean {
    const v = this.values();
    const key: MessageKey | null = v.grant_types.length === 0 ? 'admin.grants.required' : v.grant_types.includes('authorization_code') && v.redirect_uris.length === 0 ? 'admin.grants.needsRedirect' : null;
    this.grantError(key);
    if (key === 'admin.grants.needsRedirect') this.redirect.focus();
    else if (key) this.grantBoxes()[0]?.focus();
    return key === null;
  }

  private grantError(key: MessageKey | null): void {
    const box = byId(this.grantsError);
    if (key) setText(box, key);
    else {
      box.textContent = '';
      delete box.dataset.i18n;
    }
    show(box, key !== null);
  }
}

/** The non-empty lines of a textarea, trimmed. */
function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The list's cell content: the grants as chips, then each URI under its kind. */
export function uriSummary(c: Client): HTMLElement {
  const box = el('div', 'uri-summary');
  const grants = el('ul', 'chips');
  for (const g of c.grant_types) {
    const chip = el('li', 'chip', GRANT_LABELS[g] ? t(GRANT_LABELS[g]) : g);
    chip.dataset.grant = g;
    grants.append(chip);
  }
  box.append(grants);
  const group = (key: MessageKey, uris: string[], kind: string) => {
    if (uris.length === 0) return;
    const list = el('ul', 'uri-items');
    list.dataset.kind = kind;
    for (const u of uris) list.append(el('li', 'mono', u));
    box.append(el('p', 'uri-kind', t(key)), list);
  };
  group('admin.list.redirectUris', c.redirect_uris, 'redirect');
  group('admin.list.postLogoutUris', c.post_logout_redirect_uris, 'post-logout');
  group('admin.list.backchannelUri', c.backchannel_logout_uri ? [c.backchannel_logout_uri] : [], 'backchannel');
  return box;
}

/** The Edit dialog: opened from a row, PATCHes the application, then `onSaved` refreshes the list. */
export function editUrisDialog(onSaved: (c: Client) => Promise<void>): (client: Client, opener: HTMLElement) => void {
  const dialog = byId<HTMLDialogElement>('edit-uris');
  const form = byId<HTMLFormElement>('edit-uris-form');
  const save = byId<HTMLButtonElement>('edit-uris-save');
  const error = byId('edit-uris-error');
  const fields = new UriFields('edit-');
  let pending: { client: Client; opener: HTMLElement } | null = null;

  byId('edit-uris-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    const opener = pending?.opener;
    pending = null;
    if (opener?.isConnected) opener.focus();
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!pending || save.disabled) return;
    hideAdminError(error);
    if (!fields.check()) return;
    const { client } = pending;
    save.disabled = true;
    setText(save, 'admin.edit.saving');
    try {
      const changed = await updateClientUris(client.client_id, fields.values());
      dialog.close();
      await onSaved(changed);
    } catch (err) {
      showAdminError(error, err);
    } finally {
      save.disabled = false;
      setText(save, 'admin.edit.save');
    }
  });

  return (client, opener) => {
    pending = { client, opener };
    hideAdminError(error);
    setText(byId('edit-uris-text'), 'admin.edit.text', { name: client.name, client_id: client.client_id });
    fields.fill(client);
    dialog.showModal();
    fields.redirect.focus();
  };
}
