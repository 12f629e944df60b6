"""Wording layer of the chart annotations: dated events and the national digital-skills survey, in the page's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from dashboard.i18n import Translator

EVENT_FRAME = ["start", "end", "label", "dates", "kind", "code", "source"]


def event_dates(start: dt.date, end: dt.date | None, tr: Translator) -> str:
    """When an event was: one date in words, or both ends of its period."""
    if end is None or pd.isna(end) or end == start:
        return tr.date(start)
    return tr.period(start, end)



def source_in(row: Mapping, lang: str) -> str:
    """A reference row's source in the language: `source_uk` for Ukrainian when the file gives it."""
    return (row.get("source_uk") or row["source"]) if lang == "uk" else row["source"]


def event_frame(events: pd.DataFrame, tr: Translator, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Frame of the charts' `events` from query.annotations.events_in_period: `start` and `end`
    as drawn (Timestamps cut to the period start–end; `end` is the day after the event's last,
    missing for a one-day event), `label`, `dates` (the event's own dates in words), `kind` and
    `source` (words for the tooltip) and `code` (the kind's code: the chart shades by it)."""
    rows = []
    first, after = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    for e in events.itertuples(index=False):
        one_day = e.end is None or pd.isna(e.end)
        drawn_end = None if one_day else min(pd.Timestamp(e.end) + pd.Timedelta(days=1), after)
        rows.append({"start": max(pd.Timestamp(e.start), first), "end": drawn_end,
                     "label": e.label_uk if tr.lang == "uk" else e.label_en,
                     "dates": event_dates(e.start, None if one_day else e.end, tr),
                     "kind": tr(f"annotation.kind_{e.kind}"), "code": e.kind,
                     "source": source_in(e._asdict(), tr.lang)})
    frame = pd.DataFrame(rows, columns=EVENT_FRAME)
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def events_note(events: pd.DataFrame, tr: Translator) -> str:
    """The events of a chart in one sentence (its text alternative and its exports' note):
    `Events in this period: Project phase 2024 (8 January 2024 – 30 November 2024); …`; empty
    when there is none."""
    if events.empty:
        return ""
    items = [tr("annotation.event_item", label=e.label_uk if tr.lang == "uk" else e.label_en,
                dates=event_dates(e.start, None if e.end is None or pd.isna(e.end) else e.end, tr))
             for e in events.itertuples(index=False)]
    return tr("annotation.events_note", events="; ".join(items))


def survey_label(point: Mapping, tr: Translator) -> str:
    """The label beside the survey's line, two lines: `National survey 2023: 59% of adults` /
    `have basic or higher digital skills`."""
    return tr("annotation.survey_label", year=str(point["year"]), share=tr.percent(point["share"], 0))


def survey_frame(point: Mapping, tr: Translator) -> pd.DataFrame:
    """Frame of charts.interval_chart's `reference`, one row: `value` (share 0–1), `label` (drawn
    beside the line), `text` (the definition, for the tooltip) and `source`."""
    definition = point["definition_uk"] if tr.lang == "uk" else point["definition_en"]
    text = tr("annotation.survey_tooltip", year=str(point["year"]), share=tr.percent(point["share"], 0),
              definition=definition)
    return pd.DataFrame({"value": [float(point["share"])], "label": [survey_label(point, tr)], "text": [text],
                         "source": [source_in(point, tr.lang)]})


def survey_sentence(point: Mapping, tr: Translator) -> str:
    """The survey in the chart's text alternative and its exports' note: what it found, for whom,
    in which year, and why it is context rather than a like-for-like comparison."""
    return tr("annotation.survey_sentence", year=str(point["year"]), share=tr.percent(point["share"], 0),
              population=point["population"], source=source_in(point, tr.lang))


def with_sentence(summary: str, sentence: str) -> str:
    """A chart's summary with one more sentence (none when the sentence is empty)."""
    return f"{summary} {sentence}" if sentence else summary
