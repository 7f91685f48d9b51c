// Streamlit's page menu on a narrow screen (a phone) moves into the sidebar as one <ul> whose children are a <div>
// per section: the section's header, then its pages' <li>. Screen readers then meet list items outside any list
// (axe-core's "list" and "listitem" rules, serious). Here each section becomes a list named by its header and the
// <ul> a plain container. Streamlit rebuilds the menu as it likes (a rerun, "View more"), so this runs on every
// change to the page: two selector look-ups, which find nothing once the roles are given.
const NAV_ITEMS = "[data-testid=stSidebarNavItems]";
function giveNavRoles() {
  for (const items of document.querySelectorAll(`${NAV_ITEMS}:not([role])`)) items.setAttribute("role", "none");
  for (const section of document.querySelectorAll(`${NAV_ITEMS} > div:not([role])`)) {
    section.setAttribute("role", "list");
    const name = section.querySelector("[data-testid=stNavSectionHeader] [data-testid=stMarkdownContainer]");
    if (name) section.setAttribute("aria-label", name.textContent.trim());
  }
}
if (!window.vaeNavRoles) {
  window.vaeNavRoles = new MutationObserver(giveNavRoles);
  window.vaeNavRoles.observe(document.body, { childList: true, subtree: true });
  giveNavRoles();
}
