"""The timetable website: static pages for a web server, a shared drive or a USB stick.

:func:`write_site` writes, into an (empty) folder, ``index.html`` (search by faculty, group, room and
course; the data is embedded in the page as JSON and the search is a small script in the page, because
browsers block ``fetch()`` from ``file://``), a page per faculty member, student group and room with its
``.ics`` calendar beside it, and ``master.html``. No external resource is used: the style sheet and the
script are in the pages and the text uses the system's fonts; for a name in an Indian script the bundled
Noto font of that script is copied into ``fonts/`` beside the pages and used where the system has none. Pages are readable on a phone (below 700 px the week grid becomes a list per day; the
master timetable scrolls inside its own box) and print on paper (``@media print``).

Reads a :class:`~ato_desktop.io.timetable_view.TimetableView` only; the services feed it in.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Callable

from ato_desktop.io.ical import entity_calendar, safe_name
from ato_desktop.reports.fonts import SCRIPTS, font_bytes, script_of
from ato_desktop.io.timetable_view import ENTITY_LABELS, TimetableView, ViewEntity, ViewSession, day_blocks, detail_parts

CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:"ATO Indic",system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Devanagari",
"Noto Sans Tamil","Noto Sans Telugu","Noto Sans Bengali","Noto Sans Kannada","Noto Sans Malayalam",
"Noto Sans Gujarati","Noto Sans Gurmukhi","Noto Sans Oriya","Nirmala UI",Mangal,"Helvetica Neue",Arial,sans-serif;
color:#1a1a1a;background:#fff;line-height:1.4;font-size:16px}
header,main,footer{max-width:1400px;margin:0 auto;padding:0 16px}
header{padding-top:12px;border-bottom:1px solid #ccc}
h1{font-size:1.45rem;margin:.3em 0}
h2{font-size:1.15rem;margin:1.2em 0 .4em}
a{color:#0645ad}
.meta{color:#555;font-size:.9rem;margin:.2em 0 .6em;overflow-wrap:anywhere}
nav.top{font-size:.95rem;margin:.4em 0 .8em}
nav.top a{margin-right:1em}
.ics{display:inline-block;margin:.3em 0 .8em;padding:.35em .8em;border:1px solid #0645ad;border-radius:4px;text-decoration:none}
table.tt{border-collapse:collapse;width:100%;table-layout:fixed;font-size:.85rem}
table.tt th,table.tt td{border:1px solid #999;padding:4px;vertical-align:top;overflow-wrap:anywhere}
table.tt thead th{background:#eef;font-weight:600}
table.tt th.day{width:7.5em;text-align:left;background:#f4f4f4}
table.tt td.brk,table.tt th.brk{background:#eee;width:4.2em;font-size:.7rem;color:#666;text-align:center;overflow-wrap:normal;overflow:hidden}
.s{margin-bottom:3px}
.s b{font-weight:700}
.kL{background:#e8f1fb}.kT{background:#eaf7ea}.kP{background:#fdf1e2}
.times{display:block;color:#555;font-size:.75rem;font-weight:normal}
.days{display:none}
.days h3{font-size:1rem;margin:.9em 0 .3em;border-bottom:1px solid #ccc}
.days ol{list-style:none;margin:0;padding:0}
.days li{padding:6px 8px;margin:4px 0;border-left:4px solid #99b;overflow-wrap:anywhere}
.days li .when{font-weight:600;display:block}
.days .free{color:#777;font-style:italic}
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.scroll table.tt{min-width:900px}
.unsch{margin-top:1em;font-size:.9rem}
input,button{font:inherit}
input#q{width:100%;max-width:36em;font-size:1.05rem;padding:.5em;border:1px solid #888;border-radius:4px}
#results{list-style:none;padding:0;margin:.6em 0}
#results li{padding:.35em 0;border-bottom:1px solid #eee;overflow-wrap:anywhere}
.kind{color:#666;font-size:.85rem;margin-left:.5em}
ul.cols{columns:16em;padding-left:1.2em}
ul.cols li{break-inside:avoid;overflow-wrap:anywhere}
footer{color:#666;font-size:.8rem;margin-top:2em;padding-bottom:1em}
@media (max-width:700px){
 body{font-size:15px}
 .grid{display:none}
 .days{display:block}
 h1{font-size:1.25rem}
}
@media print{
 @page{size:A4 landscape;margin:10mm}
 body{font-size:9pt}
 nav.top,.ics,#search,.noprint{display:none!important}
 .grid{display:block!important}
 .days{display:none!important}
 .scroll{overflow:visible}
 .scroll table.tt{min-width:0}
 table.tt{font-size:7.5pt}
 table.tt tr{break-inside:avoid}
 a{color:inherit;text-decoration:none}
 header{border:0}
}
"""

SEARCH_JS = """
(function(){
  var data = JSON.parse(document.getElementById('site-data').textContent);
  var q = document.getElementById('q'), out = document.getElementById('results'),
      count = document.getElementById('count');
  function fold(s){ return (s || '').toLowerCase().normalize('NFC'); }
  data.entries.forEach(function(e){ e.hay = fold([e.code, e.name].concat(e.courses || []).join(' ')); });
  function link(e){
    var a = document.createElement('a'); a.href = e.url; a.textContent = e.title; return a;
  }
  function show(){
    var text = fold(q.value.trim()); out.innerHTML = '';
    if (!text){ count.textContent = ''; return; }
    var words = text.split(/\\s+/), n = 0;
    data.entries.forEach(function(e){
      for (var i = 0; i < words.length; i++){ if (e.hay.indexOf(words[i]) < 0) return; }
      n++; if (n > 60) return;
      var li = document.createElement('li');
      if (e.kind === 'course'){
        var b = document.createElement('b'); b.textContent = e.title; li.appendChild(b);
        var k = document.createElement('span'); k.className = 'kind'; k.textContent = 'Course'; li.appendChild(k);
        var div = document.createElement('div');
        e.links.forEach(function(x, i){
          if (i) div.appendChild(document.createTextNode(' · '));
          div.appendChild(link(data.entries[x]));
        });
        li.appendChild(div);
      } else {
        li.appendChild(link(e));
        var s = document.createElement('span'); s.className = 'kind'; s.textContent = e.label; li.appendChild(s);
      }
      out.appendChild(li);
    });
    count.textContent = n ? (n > 60 ? 'first 60 of ' + n + ' matches' : n + (n === 1 ? ' match' : ' matches'))
                          : 'nothing matches';
  }
  q.addEventListener('input', show);
  var initial = new URLSearchParams(location.search).get('q');
  if (initial){ q.value = initial; }
  show();
})();
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def page_name(kind: str, code: str) -> str:
    return f"{kind}-{safe_name(code)}.html"


def ics_name(kind: str, code: str) -> str:
    return f"{kind}-{safe_name(code)}.ics"


def _page(view: TimetableView, title: str, body: str, *, script: str = "", data_json: str = "",
          fonts: str = "") -> str:
    generated = view.generated.strftime("%Y-%m-%d %H:%M")
    head_meta = " · ".join(x for x in (view.institution, view.department, view.term_label) if x)
    data = f'<script type="application/json" id="site-data">{data_json}</script>' if data_json else ""
    js = f"<script>{script}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="ATO Desktop">\n'
        f"<title>{esc(title)}</title>\n<style>{fonts}{CSS}</style>\n</head>\n<body>\n"
        f'<header><div class="meta">{esc(head_meta)}</div>'
        f'<nav class="top"><a href="index.html">All timetables</a><a href="master.html">Master timetable</a></nav>'
        f"</header>\n<main>\n{body}\n</main>\n"
        f'<footer>Timetable version “{esc(view.version)}” ({esc(view.status)}), generated {esc(generated)} '
        f"by ATO Desktop.</footer>\n{data}{js}\n</body>\n</html>\n")


def _session_html(view: TimetableView, kind: str, s: ViewSession, context: str | None, *, whole: bool) -> str:
    title = view.course_titles.get(s.course_code) or s.course_title
    detail = " · ".join(esc(x) for x in detail_parts(view, kind, s, context) if x)
    times = view.times(s)
    when = "" if whole or times is None else f'<span class="times">{esc(view.period_span(s))}, {esc(times[0])}–{esc(times[1])}</span>'
    return (f'<div class="s k{esc(s.kind)}" title="{esc(title)}"><b>{esc(s.course_code)}</b> {esc(s.kind_name)}'
            f"{when}<br>{detail}</div>")


def _grid(view: TimetableView, kind: str, sessions: tuple[ViewSession, ...], context: str | None,
          rows: list[tuple[str, list[ViewSession]]] | None = None) -> str:
    periods = sorted(view.periods, key=lambda p: p.position)
    n = len(periods)
    head = "".join(
        f'<th class="brk" scope="col">{esc(p.label)}</th>' if p.is_break else
        f'<th scope="col">{esc(p.label)}<span class="times">{esc(p.start)}–{esc(p.end)}</span></th>'
        for p in periods)
    if rows is None:
        rows = [(d.name, [s for s in sessions if s.day == d.position]) for d in view.days]
    body = []
    for label, day_sessions in rows:
        cells, pos = [], 0
        blocks = {lo: (hi, ss) for lo, hi, ss in day_blocks(day_sessions)}
        while pos < n:
            if pos in blocks:
                hi, ss = blocks[pos]
                hi = min(hi, n)
                whole = all(s.period == pos and s.period + s.duration == hi for s in ss)
                whole = whole and not view.day_times.get(ss[0].day)  # a day's own times: said in the cell
                inner = "".join(_session_html(view, kind, s, context, whole=whole) for s in ss)
                span = f' colspan="{hi - pos}"' if hi - pos > 1 else ""
                cls = f' class="k{esc(ss[0].kind)}"' if len({s.kind for s in ss}) == 1 else ""
                cells.append(f"<td{span}{cls}>{inner}</td>")
                pos = hi
            else:
                cells.append('<td class="brk"></td>' if periods[pos].is_break else "<td></td>")
                pos += 1
        body.append(f'<tr><th class="day" scope="row">{esc(label)}</th>{"".join(cells)}</tr>')
    return (f'<table class="tt"><thead><tr><th class="day"></th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _day_list(view: TimetableView, kind: str, sessions: tuple[ViewSession, ...], context: str | None) -> str:
    parts = []
    for d in view.days:
        today = sorted((s for s in sessions if s.day == d.position and s.scheduled),
                       key=lambda s: (s.period, s.course_code))
        items = []
        for s in today:
            start, end = view.times(s)
            title = view.course_titles.get(s.course_code) or s.course_title
            detail = " · ".join(esc(x) for x in detail_parts(view, kind, s, context) if x)
            items.append(f'<li class="k{esc(s.kind)}"><span class="when">{esc(start)}–{esc(end)} '
                         f'({esc(view.period_span(s))})</span><b>{esc(s.course_code)}</b> {esc(s.kind_name)}'
                         f'{" — " + esc(title) if title else ""}<br>{detail}</li>')
        content = "".join(items) or '<li class="free">No classes</li>'
        parts.append(f"<h3>{esc(d.name)}</h3><ol>{content}</ol>")
    return f'<div class="days">{"".join(parts)}</div>'


def entity_page(view: TimetableView, e: ViewEntity, *, with_ics: bool, fonts: str = "") -> str:
    label = ENTITY_LABELS[e.kind]
    context = e.code if e.kind == "group" else None
    title = f"{label} {e.title}" if e.kind != "faculty" else e.title
    ics = (f'<a class="ics" href="{esc(ics_name(e.kind, e.code))}" download>Add to calendar (.ics)</a>'
           if with_ics else "")
    unscheduled = [s for s in e.sessions if not s.scheduled]
    extra = ""
    if unscheduled:
        extra = ('<div class="unsch"><b>Not scheduled yet:</b> '
                 + esc(", ".join(f"{s.course_code} {s.kind_name}" for s in unscheduled)) + "</div>")
    courses = sorted({s.course_code for s in e.sessions})
    legend = "; ".join(f"{c} {view.course_titles.get(c, '')}".strip() for c in courses)
    body = (f"<h1>{esc(title)}</h1>"
            f'<div class="meta">{esc(label)} timetable · {len(e.sessions)} session(s) a week</div>{ics}'
            f'<div class="grid">{_grid(view, e.kind, e.sessions, context)}</div>'
            f"{_day_list(view, e.kind, e.sessions, context)}{extra}"
            f'<p class="meta">Courses: {esc(legend)}</p>')
    return _page(view, f"{title} — timetable", body, fonts=fonts)


def master_page(view: TimetableView, fonts: str = "") -> str:
    own: dict[str, list[ViewSession]] = {}
    for s in view.sessions:
        for g in s.groups:
            own.setdefault(g, []).append(s)
    groups = [g.code for g in view.groups if g.code in own]
    parts = [f"<h1>Master timetable</h1><div class=\"meta\">{len(view.sessions)} sessions a week, "
             f"{len(groups)} student groups</div>"]
    for d in view.days:
        rows = [(g, [s for s in own[g] if s.day == d.position]) for g in groups]
        rows = [(f"{g}", ss) for g, ss in rows]
        parts.append(f"<h2>{esc(d.name)}</h2>"
                     f'<div class="scroll">{_grid(view, "master", (), None, rows=rows)}</div>')
    return _page(view, "Master timetable", "".join(parts), fonts=fonts)


def _json_for_script(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def index_page(view: TimetableView, fonts: str = "") -> str:
    entries = []
    course_links: dict[str, list[int]] = {}
    for kind in ("faculty", "group", "room"):
        for e in view.entities(kind):
            courses = sorted({s.course_code for s in e.sessions})
            for c in courses:
                course_links.setdefault(c, []).append(len(entries))
            entries.append({"kind": kind, "label": ENTITY_LABELS[kind], "code": e.code, "name": e.name,
                            "title": e.title, "url": page_name(kind, e.code), "courses": courses})
    for c in sorted(course_links):
        t = view.course_titles.get(c, "")
        entries.append({"kind": "course", "code": c, "name": t, "title": f"{c} {t}".strip(),
                        "links": course_links[c], "courses": []})
    sections = []
    for kind, heading in (("faculty", "Faculty"), ("group", "Student groups"), ("room", "Rooms")):
        items = "".join(f'<li><a href="{esc(page_name(kind, e.code))}">{esc(e.title)}</a></li>'
                        for e in view.entities(kind))
        sections.append(f'<h2 id="{kind}">{heading}</h2><ul class="cols">{items}</ul>')
    courses = "".join(
        f"<li>{esc(c)} {esc(view.course_titles.get(c, ''))}</li>" for c in sorted(course_links))
    sections.append(f'<h2 id="courses">Courses</h2><ul class="cols">{courses}</ul>')
    title = " — ".join(x for x in (view.department or view.institution, "Timetable") if x)
    body = (f"<h1>{esc(title)}</h1>"
            f'<div class="meta">Version “{esc(view.version)}” ({esc(view.status)})</div>'
            '<div id="search"><label for="q">Search by faculty, group, room or course</label><br>'
            '<input id="q" type="search" autocomplete="off" placeholder="e.g. a teacher\'s name, CSE-3A, CS301">'
            '<div id="count" class="meta" aria-live="polite"></div><ul id="results"></ul></div>'
            f'<p><a href="master.html">Master timetable</a> (every group, day by day)</p>{"".join(sections)}')
    return _page(view, title, body, script=SEARCH_JS, data_json=_json_for_script({"entries": entries}),
                 fonts=fonts)


# the code points of each script (as reports.fonts knows them), for @font-face unicode-range
SCRIPT_RANGES = {
    "Devanagari": "U+0900-097F,U+1CD0-1CFF,U+A8E0-A8FF,U+200C-200D,U+25CC",
    "Bengali": "U+0980-09FF,U+200C-200D,U+25CC", "Gurmukhi": "U+0A00-0A7F,U+200C-200D,U+25CC",
    "Gujarati": "U+0A80-0AFF,U+200C-200D,U+25CC", "Oriya": "U+0B00-0B7F,U+200C-200D,U+25CC",
    "Tamil": "U+0B80-0BFF,U+200C-200D,U+25CC", "Telugu": "U+0C00-0C7F,U+200C-200D,U+25CC",
    "Kannada": "U+0C80-0CFF,U+200C-200D,U+25CC", "Malayalam": "U+0D00-0D7F,U+200C-200D,U+25CC",
}


def scripts_used(view: TimetableView) -> list[str]:
    """The Indian scripts that occur in the names and titles the site shows."""
    texts = [view.institution, view.department, view.term_label, view.version,
             *view.faculty_names.values(), *view.group_names.values(), *view.room_names.values(),
             *view.course_titles.values()]
    found = {script_of(ch) for text in texts for ch in str(text) if ord(ch) >= 0x0900}
    return [sc for sc in SCRIPTS if sc in found]


def copy_fonts(view: TimetableView, folder: Path) -> str:
    """Copy the bundled Noto font of each Indian script the site uses into ``fonts/`` (a computer or phone
    without one still shows the names) and return their ``@font-face`` rules: family "ATO Indic", first in
    the list but only for the characters of that script (its unicode-range), because a system font may
    claim those characters and draw empty boxes (Chrome's system-ui on Linux without Indian fonts does)."""
    rules = []
    used = scripts_used(view)
    if not used:
        return ""
    (folder / "fonts").mkdir(exist_ok=True)
    (folder / "fonts" / "LICENSE-Noto.txt").write_bytes(font_bytes("LICENSE-Noto.txt"))
    for sc in used:
        for weight, css_weight in (("Regular", 400), ("Bold", 700)):
            name = f"NotoSans{sc}-{weight}.ttf"
            (folder / "fonts" / name).write_bytes(font_bytes(name))
            rules.append(f'@font-face{{font-family:"ATO Indic";src:url("fonts/{name}") format("truetype");'
                         f"font-weight:{css_weight};font-display:swap;unicode-range:{SCRIPT_RANGES[sc]}}}")
    return "\n".join(rules) + "\n"


def write_site(view: TimetableView, folder: Path, *, now: dt.datetime | None = None,
               on_progress: Callable[[float, str], None] | None = None) -> dict:
    """Write the site into ``folder`` (which exists). Returns counts: pages, calendars."""
    folder = Path(folder)
    entities = [e for kind in ("faculty", "group", "room") for e in view.entities(kind)]
    total = len(entities) + 2
    with_ics = view.term is not None
    calendars = 0

    def put(name: str, text: str) -> None:
        (folder / name).write_text(text, encoding="utf-8", newline="\n")

    def step(i: int, message: str) -> None:
        if on_progress is not None:
            on_progress(i / total, message)

    fonts = copy_fonts(view, folder)
    step(0, "Writing the index")
    put("index.html", index_page(view, fonts))
    step(1, "Writing the master timetable")
    put("master.html", master_page(view, fonts))
    for i, e in enumerate(entities, start=2):
        step(i, f"Writing {ENTITY_LABELS[e.kind].lower()} {e.code}")
        put(page_name(e.kind, e.code), entity_page(view, e, with_ics=with_ics, fonts=fonts))
        if with_ics:
            (folder / ics_name(e.kind, e.code)).write_bytes(entity_calendar(view, e, now=now).encode("utf-8"))
            calendars += 1
    return {"pages": len(entities) + 2, "calendars": calendars}
