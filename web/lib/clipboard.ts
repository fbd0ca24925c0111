/**
 * Copies a read-only field's value. Plain-http deployments have no clipboard
 * API: then it selects the text and uses the old copy command. Resolves to
 * whether the copy worked.
 */
export async function copyInput(input: HTMLInputElement): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(input.value);
      return true;
    }
  } catch {
    // fall through to the old command
  }
  input.focus();
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
