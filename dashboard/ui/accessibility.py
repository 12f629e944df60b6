"""Presentation layer: accessibility the theme cannot set — readable captions, a visible focus, a
labelled phone menu, the page's language, and Streamlit's own screen-reader texts in that language."""

from __future__ import annotations

import json
import re

import streamlit as st

from dashboard.i18n import LANGUAGES, VEGA_LOCALES, Translator, translator

# Muted text (captions, labels of read-only fields): 6.2:1 on the page (#fbfaf7) and 5.7:1 in the
# sidebar (#eef1f4). Streamlit draws captions in the text colour at 60% opacity (4.0:1 and 3.9:1)
# and labels of disabled fields at 40% (2.3:1); WCAG AA asks 4.5:1. The charts' muted ink is the same.
MUTED = "#52606d"
FOCUS = "#0b5c8a"  # the theme's primary colour: 6.9:1 on the page, 6.4:1 in the sidebar
INK = "#1f2933"  # the theme's text colour
KEY = "page_language"  # the container of the script (hidden: it shows nothing)

# Streamlit writes these texts (labels for screen readers, a link text) in English whatever the
# page's language: English text → catalogue key.
EXACT = {
    "Expand sidebar": "a11y.open_menu",
    "Collapse sidebar": "a11y.close_menu",
    "Sidebar": "a11y.sidebar",
    "App pages": "a11y.pages",
    "Main menu": "a11y.main_menu",
    "Skip to main content": "a11y.skip",
    "Choose date": "a11y.choose_date",
    "Help": "a11y.help",
    "Link to heading": "a11y.heading_link",
    "Open": "a11y.open_list",
    "Clear all": "a11y.clear_all",
    "Selected values": "a11y.selected",
    "Download as CSV": "a11y.download_csv",
    "Search": "a11y.search",
    "Fullscreen": "a11y.fullscreen",
    "Close fullscreen": "a11y.close_fullscreen",
    "Show/hide columns": "a11y.columns",
    "Show data": "a11y.show_data_short",
    "Download as PNG": "a11y.download_png_short",
    "Copy Vega-Lite spec": "a11y.copy_spec_short",
    "Print": "a11y.print",
    "Record screen": "a11y.record",
    "Choose an option": "a11y.choose",
    "Select all": "a11y.select_all",
    # Shown under a download button whose file could not be made (a chart's file waits for a turn
    # of the export queue, dashboard.ui.exports, and gives up after DASHBOARD_EXPORT_WAIT seconds).
    "Failed to generate file for download": "a11y.download_failed",
    # The roles Vega and Streamlit give a chart and its groups of marks, read out with them.
    "visualization": "a11y.chart",
    "group mark container": "a11y.chart_part",
}
# Texts that end with the element's own name ("Help for Active hubs"): start → key with {name}.
PREFIXED = {
    "Help for ": "a11y.help_for",
    "Remove ": "a11y.remove",
    "Fullscreen: ": "a11y.fullscreen_of",
    "Show data: ": "a11y.show_data",
    "Download as PNG: ": "a11y.download_png",
    "Copy Vega-Lite spec: ": "a11y.copy_spec",
    # The parts of a date field ("day, From"), read out as each is focused.
    "day, ": "a11y.day",
    "month, ": "a11y.month",
    "year, ": "a11y.year",
}
# Texts with a count: the top page list's "N more" (when the pages do not fit on one line) and a
# list's "Select N matches" (while a search is typed): regular expression → key with {n}.
COUNTED = {r"^(\d+) more$": "a11y.more", r"^Select (\d+) matches$": "a11y.select_matches"}
# A date field reads its month as "01 – January": the English names, in the order of tr.month_names.
# A date field's description, "Selected Date: January 01, 2022": → the key, {date} in the language.
SELECTED_DATE = "a11y.selected_date"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

CSS = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"][disabled] p,
[data-testid="stDateInputField"][data-disabled="true"] [role="spinbutton"] { color: %(muted)s; opacity: 1; }
/* A keyboard user sees where they are: a ring on links, buttons, tabs, pills and, around the
   whole field, on lists and text fields (the field's own focus is a 1 px change of border colour). */
[data-testid="stApp"] :is(a, button, summary, [role="tab"], [role="radio"], [role="option"],
  [tabindex="0"]):not(input):focus-visible { outline: 2px solid %(focus)s !important; outline-offset: 2px; }
[data-testid="stApp"] :is([data-baseweb="select"], [data-baseweb="input"],
  [data-testid="stDateInputField"]):focus-within {
  outline: 2px solid %(focus)s; outline-offset: 1px; border-radius: 0.25rem; }
[data-testid="stTopNavLink"]:focus-visible, [data-testid="stSidebarNavLink"]:focus-visible {
  text-decoration: underline; text-underline-offset: 4px; }
/* A collapsed sidebar is off screen: out of the way of the keyboard and of screen readers too. */
[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden;
  transition: transform 0.3s, min-width 0.3s, max-width 0.3s, visibility 0s 0.3s; }
/* The phone's menu button says what it opens. */
[data-testid="stExpandSidebarButton"] { width: auto; gap: 0.25rem; padding: 0.25rem 0.5rem; }
[data-testid="stExpandSidebarButton"]::after { content: %(menu)s; font-size: 0.875rem; color: %(ink)s; }
[data-testid="stTopNavSection"] [data-testid="stMarkdownContainer"] p { white-space: nowrap; }
.st-key-%(key)s, [data-testid="stLayoutWrapper"]:has(> .st-key-%(key)s) { display: none; }
</style>
"""

# Sets the page's language, then puts the texts of EXACT, PREFIXED, COUNTED and MONTHS in it, now
# and whenever Streamlit draws new ones (a chart's toolbar, the sidebar, a list). Text nodes are
# changed in place, so the page's own code still finds them.
SCRIPT = """
<script>
(() => {
  const lang = %(lang)s, exact = %(exact)s, prefixed = %(prefixed)s, counted = %(counted)s,
        months = %(months)s, selectedDate = %(selected_date)s, locale = %(locale)s;
  // Where Streamlit writes those texts as text: the skip link, "N more", lists, tooltips, the main menu.
  const TEXTS = ['[data-testid="stSkipToContent"]', '[data-testid="stTopNavSection"]', '[role="listbox"]',
                 '[role="tooltip"]', '[data-baseweb="tooltip"]', '[role="menu"]',
                 '[data-testid="stDownloadButtonError"]'].join(', ');
  document.documentElement.lang = lang;
  const words = (text) => {
    if (Object.prototype.hasOwnProperty.call(exact, text)) return exact[text];
    for (const [start, message] of prefixed) {
      if (text.startsWith(start)) return message.replace('{name}', text.slice(start.length));
    }
    for (const [pattern, message] of counted) {
      const m = new RegExp(pattern).exec(text);
      if (m) return message.replace('{n}', m[1]);
    }
    return null;
  };
  const monthPattern = new RegExp(Object.keys(months).join('|'), 'g');
  const dateFormat = new Intl.DateTimeFormat(locale, {day: 'numeric', month: 'long', year: 'numeric'});
  // The dates of the date fields' descriptions, kept across language switches (the text is ours then).
  const dates = window.hubsAccessibilityDates = window.hubsAccessibilityDates || new WeakMap();
  const relabel = () => {
    for (const el of document.querySelectorAll('[aria-valuetext]')) {
      const now = el.getAttribute('aria-valuetext'), next = now.replace(monthPattern, m => months[m]);
      if (next !== now) el.setAttribute('aria-valuetext', next);
    }
    for (const el of document.querySelectorAll('[id^="react-aria-description"]')) {
      const m = /^Selected Date: (.+)$/.exec(el.textContent);
      if (m && !isNaN(new Date(m[1]))) dates.set(el, new Date(m[1]));
      const day = dates.get(el);
      if (day === undefined) continue;
      const next = selectedDate.replace('{date}', dateFormat.format(day));
      if (el.textContent !== next) el.textContent = next;
    }
    for (const name of ['aria-label', 'placeholder', 'aria-roledescription']) {
      for (const el of document.querySelectorAll(`[${name}]`)) {
        const now = el.getAttribute(name), next = words(now);
        if (next !== null && next !== now) el.setAttribute(name, next);
      }
    }
    for (const el of document.querySelectorAll(TEXTS)) {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const node = walker.currentNode, next = words(node.data);
        if (next !== null && next !== node.data) node.data = next;
      }
    }
  };
  let queued = false;
  const observer = new MutationObserver(() => {
    if (!queued) { queued = true; setTimeout(() => { queued = false; relabel(); }, 50); }
  });
  if (window.hubsAccessibility) window.hubsAccessibility.disconnect();
  window.hubsAccessibility = observer;
  const watched = ['aria-label', 'placeholder', 'aria-valuetext', 'aria-roledescription'];
  observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                   attributes: true, attributeFilter: watched});
  relabel();
})();
</script>
"""


def css(tr: Translator) -> str:
    """The style sheet: muted text at 4.5:1 or more, focus rings, the labelled phone menu."""
    return CSS % {"muted": MUTED, "focus": FOCUS, "ink": INK, "key": KEY,
                  "menu": json.dumps(tr("a11y.menu"), ensure_ascii=False)}


def script(tr: Translator) -> str:
    """The script that sets the page's language and translates Streamlit's own texts.

    Each text is looked up in English (Streamlit's) and in every language of the dashboard: after a
    switch of language the page keeps what the script wrote before, and that must change too.
    """
    def js(value: object) -> str:  # a JavaScript literal that cannot end the script element
        return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")

    others = [translator(lang) for lang in LANGUAGES]
    exact = {text: tr(key) for text, key in EXACT.items()}
    exact.update({other(key): tr(key) for other in others for key in EXACT.values()})
    prefixed = [[start, tr(key, name="{name}")] for start, key in PREFIXED.items()]
    prefixed += [[other(key, name="{name}").removesuffix("{name}"), tr(key, name="{name}")]
                 for other in others for key in PREFIXED.values()]
    counted = [[pattern, tr(key, n="{n}")] for pattern, key in COUNTED.items()]
    counted += [["^" + re.escape(other(key, n="{n}")).replace(re.escape("{n}"), r"(\d+)") + "$",
                 tr(key, n="{n}")] for other in others for key in COUNTED.values()]
    months = dict(zip(MONTHS, tr.month_names()[0]))
    months.update({name: mine for other in others for name, mine in zip(other.month_names()[0], tr.month_names()[0])})
    return SCRIPT % {
        "lang": js(tr.lang),
        "exact": js(exact),
        "prefixed": js(prefixed),
        "counted": js(counted),
        "months": js(months),
        "selected_date": js(tr(SELECTED_DATE, date="{date}")),
        "locale": js(VEGA_LOCALES[tr.lang]),
    }


def apply(tr: Translator) -> None:
    """Put the style sheet and the language script on the page (entry file, every run)."""
    st.html(css(tr))  # styles only: Streamlit puts them where they take no room
    with st.container(key=KEY):
        st.html(script(tr), unsafe_allow_javascript=True)
