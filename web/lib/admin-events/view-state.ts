/**
 * What the router and the views share: the shown view's re-render (called when
 * the locale changes), and how the event page reloads what depends on its
 * sessions and attendees (set by the event page, called by its sections).
 */
export const view: { rerender: (() => void) | null; refreshAll: () => Promise<void> } = {
  rerender: null,
  refreshAll: async () => {},
};
