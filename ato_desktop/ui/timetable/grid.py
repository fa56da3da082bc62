"""The timetable grid: days (or days x sections) by periods, cards you can drag.

While a card is dragged, every cell is coloured from the engine deltas computed
once when the drag starts (see :meth:`TimetableModel.preview`): green =
no hard change, yellow = soft cost rises (by how much is written in the cell),
red = hard conflict (the reason shows in a tooltip). Hovering only looks up
the precomputed arrays, so it costs nothing.

The grid does not change data itself: drops, swaps, lock and unschedule
requests are emitted as signals for the screen, which turns them into undo
commands.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QDrag, QFont, QFontMetrics, QMouseEvent
from PySide6.QtWidgets import QApplication, QMenu, QSizePolicy, QToolTip, QWidget

from ato_desktop.ui.timetable.grid_paint import CardItem, GridPainting
from ato_desktop.ui.timetable.model import (
    BLOCKED,
    GREEN,
    RED,
    VIEW_MASTER,
    VIEW_ROOM,
    Lane,
    TimetableModel,
)

MIME_SESSION = "application/x-ato-session"


def session_mime(s: int, timetable_id: int) -> QMimeData:
    md = QMimeData()
    md.setData(MIME_SESSION, f"{timetable_id}:{s}".encode())
    md.setText(f"session {s}")
    return md


def session_from_mime(md: QMimeData, timetable_id: int) -> int | None:
    if md is None or not md.hasFormat(MIME_SESSION):
        return None
    try:
        tt, s = bytes(md.data(MIME_SESSION)).decode().split(":")
        if int(tt) != timetable_id:
            return None
        return int(s)
    except ValueError:
        return None


READ_ONLY_WEEK = ("The week of a date is read-only: clear “Week of” to move sessions in the weekly pattern.")


class TimetableGrid(GridPainting, QWidget):
    """One grid view (group, faculty, room or master) of a :class:`TimetableModel`."""

    dropRequested = Signal(int, int, int, int)  # session, start slot, room (-1 = choose), target session (-1)
    lockRequested = Signal(list, bool)
    unscheduleRequested = Signal(int)
    unscheduleManyRequested = Signal(list)
    sessionClicked = Signal(int)
    message = Signal(str)

    HEADER_H = 38
    LABEL_W = 130  # the first column: as wide as the lane labels need (_fit_label), within these limits
    MIN_LABEL_W = 52
    MAX_LABEL_W = 160  # "Mon  MTECH-CSE-1" in the master view
    COL_W = 96  # the narrowest a period column gets; wider when there is room (up to 220)
    BREAK_W = 34

    def __init__(self, model: TimetableModel, kind: str = "group", entity: str | None = None, parent=None):
        super().__init__(parent)
        self.model = model
        self.kind = kind
        self.entity = entity
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.ClickFocus)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.drag_session: int | None = None
        self.hover_cell: tuple[int, int] | None = None
        self.hover_info: dict | None = None
        self.last_preview_seconds = 0.0
        self._press: tuple[QPoint, int] | None = None
        self._tooltip_cache: dict[tuple[int, int, int], str] = {}
        self._hover_pos: QPoint | None = None
        self._tip_timer = QTimer(self)
        self._tip_timer.setSingleShot(True)
        self._tip_timer.setInterval(250)
        self._tip_timer.timeout.connect(self._show_hover_tooltip)
        self._items: list[CardItem] = []
        self._lanes: list[Lane] = []
        self._lane_y: list[float] = []
        self._lane_h: list[float] = []
        # the real timetable of a chosen week (services.day_timetable.WeekDay by calendar day), None = the pattern
        self.week: dict[int, object] | None = None
        model.subscribe(self._on_model)
        self.relayout()

    # ---- layout ------------------------------------------------------------------
    def set_view(self, kind: str, entity: str | None) -> None:
        self.kind, self.entity = kind, entity
        self.relayout()

    def set_week(self, week: list | None) -> None:
        """Show the real timetable of a week (``services.day_timetable.week_timetable``'s days: dates,
        holidays, days that follow another weekday, substitutions), read-only; ``None`` = the weekly pattern."""
        self.week = None if week is None else {w.day: w for w in week}
        self._tooltip_cache.clear()
        self.relayout()

    def week_day(self, lane: int):
        """The chosen week's day shown in row ``lane`` (None: the weekly pattern, or a day without a date)."""
        if self.week is None or lane >= len(self._lanes):
            return None
        return self.week.get(self._lanes[lane].day)

    def card_who(self, it: CardItem) -> tuple[str, str]:
        """Who teaches a card as shown, and its mark: "" (as in the pattern), "substitute", "self-study",
        "not covered" or "changed" (a swap, a merge) - the chosen week's arrangements applied."""
        v = self.model.views[it.session]
        who = ", ".join(v.faculty)
        wd = self.week_day(it.lane)
        row = wd.row_of(v.activity_id, v.occurrence) if wd is not None else None
        if row is None or not row.note:
            return who, ""
        if "self-study" in row.note:
            return "self-study", "self-study"
        if "not covered" in row.note:
            return f"{who} (absent)", "not covered"
        mark = "substitute" if "takes it" in row.note else "changed"
        return ", ".join(row.teachers) or who, mark

    def _on_model(self, what: str) -> None:
        self._tooltip_cache.clear()
        self.relayout()

    @property
    def track_h(self) -> float:
        return 40 if self.kind == VIEW_MASTER else 58

    def col_x(self, period: int) -> float:
        x = self.LABEL_W
        for p in range(period):
            x += self.col_w(p)
        return x

    def col_w(self, period: int) -> float:
        return self.BREAK_W if self._is_break(period) else self._col_w

    def _fit_label(self) -> None:
        """The first column as wide as its longest lane label ("Mon", "Mon · CSE-3A"), within limits."""
        bold = QFont(self.font())
        bold.setBold(True)
        fm = QFontMetrics(bold)
        text = max((fm.horizontalAdvance(ln.label) for ln in self._lanes), default=0)
        self.LABEL_W = int(min(self.MAX_LABEL_W, max(self.MIN_LABEL_W, text + 16)))

    def _fit_columns(self) -> None:
        P = self.model.problem.periods_per_day
        n_break = sum(self._is_break(p) for p in range(P))
        n = max(1, P - n_break)
        avail = self.width() - self.LABEL_W - n_break * self.BREAK_W - 4
        self._col_w = max(float(self.COL_W), min(220.0, avail / n))

    def resizeEvent(self, ev) -> None:
        old = getattr(self, "_col_w", None)
        self._fit_columns()
        if old != self._col_w:
            self.relayout()
        super().resizeEvent(ev)

    def _is_break(self, period: int) -> bool:
        """A break column: no teaching in this period on any day (a day's own closed periods are cells)."""
        p = self.model.problem
        return not bool(p.slot_usable[period::p.periods_per_day].any())

    def relayout(self) -> None:
        m = self.model
        P = m.problem.periods_per_day
        self._lanes = m.lanes(self.kind, self.entity)
        follows: dict[int, list[int]] | None = None
        if self.week is not None:  # row labels with the dates; each row shows the weekday it follows
            follows = {}
            for w in self.week.values():
                if w.follows is not None:
                    follows.setdefault(w.follows, []).append(w.day)
            lanes = []
            for ln in self._lanes:
                w = self.week.get(ln.day)
                if w is not None:
                    date = f"{w.date:%a} {w.date.day} {w.date:%b}"
                    ln = Lane(ln.day, f"{date}  {ln.entity}" if ln.entity else date, ln.entity)
                lanes.append(ln)
            self._lanes = lanes
        self._fit_label()
        self._fit_columns()
        lane_of: dict[tuple[int, str | None], int] = {
            (ln.day, ln.entity): i for i, ln in enumerate(self._lanes)}
        placed: dict[int, list[tuple[int, int, int]]] = {i: [] for i in range(len(self._lanes))}
        for s in m.sessions_for(self.kind, self.entity):
            t = int(m.assignment.start[s])
            day, per = divmod(t, P)
            dur = int(m.problem.session_duration[s])
            days = [day] if follows is None else follows.get(day, [])
            keys = [(d, sec) for d in days for sec in m.section_of(s)] if self.kind == VIEW_MASTER else \
                [(d, None) for d in days]
            for k in keys:
                li = lane_of.get(k)
                if li is not None:
                    placed[li].append((per, min(per + dur, P), s))
        fixed = m.committed_for(self.kind, self.entity)  # other departments' commitments: grey, immovable
        for i, c in enumerate(fixed):
            li = lane_of.get((c.day, None)) if follows is None else None
            if li is not None:
                placed[li].append((c.first, min(c.last + 1, P), -1 - i))
        self._items = []
        self.fixed_items: list[tuple[object, QRectF]] = []
        self._lane_y, self._lane_h = [], []
        y = float(self.HEADER_H)
        for li in range(len(self._lanes)):
            tracks: list[int] = []  # end column of each track
            assigned = []
            for per, end, s in sorted(placed[li]):
                for k, e in enumerate(tracks):
                    if e <= per:
                        tracks[k] = end
                        break
                else:
                    k = len(tracks)
                    tracks.append(end)
                assigned.append((per, end, s, k))
            n = max(1, len(tracks))
            h = n * self.track_h
            for per, end, s, k in assigned:
                x0 = self.col_x(per)
                x1 = self.col_x(end)
                rect = QRectF(x0 + 2, y + k * self.track_h + 2, x1 - x0 - 4, self.track_h - 4)
                if s < 0:
                    self.fixed_items.append((fixed[-1 - s], rect))
                    continue
                self._items.append(CardItem(s, li, rect))
            self._lane_y.append(y)
            self._lane_h.append(h)
            y += h
        self._height = int(y) + 2
        self._width = int(self.LABEL_W + (P - sum(self._is_break(p) for p in range(P))) * self.COL_W
                          + sum(self._is_break(p) for p in range(P)) * self.BREAK_W) + 2
        self.setMinimumSize(self._width, self._height)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self._width, self._height)

    # ---- geometry queries (also used by tests) ------------------------------------------
    def cell_at(self, pos: QPointF | QPoint) -> tuple[int, int] | None:
        x, y = pos.x(), pos.y()
        if x < self.LABEL_W or y < self.HEADER_H:
            return None
        li = None
        for i, (ly, lh) in enumerate(zip(self._lane_y, self._lane_h)):
            if ly <= y < ly + lh:
                li = i
                break
        if li is None:
            return None
        P = self.model.problem.periods_per_day
        for p in range(P):
            cx = self.col_x(p)
            if cx <= x < cx + self.col_w(p):
                return li, p
        return None

    def cell_rect(self, lane: int, period: int) -> QRectF:
        return QRectF(self.col_x(period), self._lane_y[lane], self.col_w(period), self._lane_h[lane])

    def cell_center(self, lane: int, period: int) -> QPoint:
        return self.cell_rect(lane, period).center().toPoint()

    def lane_index(self, day: int, entity: str | None = None) -> int:
        for i, ln in enumerate(self._lanes):
            if ln.day == day and (self.kind != VIEW_MASTER or ln.entity == entity):
                return i
        raise KeyError((day, entity))

    def item_at(self, pos: QPointF | QPoint) -> CardItem | None:
        pt = QPointF(pos)
        for it in reversed(self._items):
            if it.rect.contains(pt):
                return it
        return None

    def fixed_at(self, pos: QPointF | QPoint):
        """Another department's committed session (grey card) at ``pos``, or None."""
        pt = QPointF(pos)
        return next((c for c, rect in getattr(self, "fixed_items", ()) if rect.contains(pt)), None)

    def item_of(self, s: int) -> CardItem | None:
        return next((it for it in self._items if it.session == s), None)

    def shown_sessions(self) -> list[int]:
        return [it.session for it in self._items]

    def slot_of(self, lane: int, period: int) -> int:
        return self._lanes[lane].day * self.model.problem.periods_per_day + period

    def target_room(self) -> int | None:
        if self.kind == VIEW_ROOM:
            return self.model.room_index.get(self.entity)
        return None

    def drop_info(self, s: int, lane: int, period: int, with_tooltip: bool = True) -> dict:
        """What a drop of ``s`` on this cell would do: category, deltas, room (and the tooltip's reasons)."""
        if self._is_break(period):
            return {"category": BLOCKED, "d_hard": 0, "d_soft": 0, "room": -1, "start": -1,
                    "tooltip": "A break: nothing can be scheduled here."}
        t = self.slot_of(lane, period)
        if not self.model.problem.slot_usable[t]:
            return {"category": BLOCKED, "d_hard": 0, "d_soft": 0, "room": -1, "start": -1,
                    "tooltip": "No teaching in this period on this day (the day's own bell schedule)."}
        if self.model.state is None:
            return {"category": GREEN, "d_hard": 0, "d_soft": 0, "room": -1, "start": t, "tooltip": ""}
        troom = self.target_room()
        pv = self.model.preview(s, troom)
        cat, dh, ds, r = pv.at(t, troom)
        return {"category": cat, "d_hard": dh, "d_soft": ds, "room": r, "start": t, "session": s,
                "tooltip": self._drop_tooltip(s, t, r, cat, dh, ds) if with_tooltip else None}

    def hover_tooltip(self) -> str:
        """The reasons for the hovered cell's colour (computed on demand: it needs a full evaluation)."""
        info = self.hover_info
        if not info:
            return ""
        if info.get("tooltip") is None and "start" in info:
            info["tooltip"] = self._drop_tooltip(info["session"], info["start"], info["room"], info["category"],
                                                 info["d_hard"], info["d_soft"])
        return info.get("tooltip") or ""

    def _show_hover_tooltip(self) -> None:
        if self.hover_info and self.hover_info.get("category") not in (GREEN, None) and self._hover_pos is not None:
            QToolTip.showText(self.mapToGlobal(self._hover_pos), self.hover_tooltip(), self)

    def _drop_tooltip(self, s: int, t: int, r: int, cat: str, dh: int, ds: int) -> str:
        if cat == GREEN:
            return f"{self.model.slot_label(t)} in {self.model.room_code(r)}: no conflict" + (
                f" (soft {ds:+d})" if ds else "")
        key = (s, t, r)
        if key not in self._tooltip_cache:
            reasons = self.model.explain_drop(s, t, r)
            head = (f"Hard conflict (+{dh})" if cat == RED else f"Soft cost +{ds}") + \
                f" at {self.model.slot_label(t)} in {self.model.room_code(r)}:"
            body = "\n".join(f"• {x}" for x in reasons[:8]) or "• (no sentence available)"
            self._tooltip_cache[key] = head + "\n" + body
        return self._tooltip_cache[key]


    # ---- mouse: click, context menu, drag start ---------------------------------------
    def mousePressEvent(self, ev: QMouseEvent) -> None:
        it = self.item_at(ev.position())
        self.setFocus(Qt.MouseFocusReason)
        if ev.button() == Qt.LeftButton and it is not None:
            self._press = (ev.position().toPoint(), it.session)
            if ev.modifiers() & (Qt.ControlModifier | Qt.ShiftModifier):
                self.model.selection ^= {it.session}
            else:
                self.model.selection = {it.session}
            self.update()
            self.sessionClicked.emit(it.session)
        else:
            self._press = None
            if ev.button() == Qt.LeftButton and self.model.selection:
                self.model.selection = set()
                self.update()
        super().mousePressEvent(ev)

    def keyPressEvent(self, ev) -> None:
        """Delete / Backspace: unschedule the selected cards; L: lock or unlock them; Esc: clear the selection."""
        sel = sorted(s for s in self.model.selection if s in set(self.shown_sessions()))
        if self.week is not None and ev.key() != Qt.Key_Escape:  # a chosen week is read-only
            sel = []
        if ev.key() in (Qt.Key_Delete, Qt.Key_Backspace) and sel:
            self.unscheduleManyRequested.emit(sel)
            ev.accept()
            return
        if ev.key() == Qt.Key_L and sel and not ev.modifiers() & ~Qt.KeypadModifier:
            self.lockRequested.emit(sel, not all(self.model.is_locked(s) for s in sel))
            ev.accept()
            return
        if ev.key() == Qt.Key_Escape and self.model.selection:
            self.model.selection = set()
            self.update()
            ev.accept()
            return
        super().keyPressEvent(ev)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        if self._press is not None and ev.buttons() & Qt.LeftButton:
            start, s = self._press
            if (ev.position().toPoint() - start).manhattanLength() >= QApplication.startDragDistance():
                self._press = None
                if self.model.is_locked(s):
                    self.message.emit(f"{self.model.short_label(s)} is locked: unlock it to move it.")
                    return
                if self.week is not None:
                    self.message.emit(READ_ONLY_WEEK)
                    return
                self.start_drag(s)
                return
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(ev)

    def begin_drag_preview(self, s: int) -> None:
        """Compute the colouring for dragging ``s`` (one engine delta per slot) and show it."""
        self.drag_session = s
        if self.model.state is not None:
            import time

            t0 = time.perf_counter()
            self.model.preview(s, self.target_room())
            self.last_preview_seconds = time.perf_counter() - t0
        self.update()

    def end_drag_preview(self) -> None:
        self._tip_timer.stop()
        self.drag_session = None
        self.hover_cell = None
        self.hover_info = None
        self.update()

    def start_drag(self, s: int) -> None:
        self.begin_drag_preview(s)
        drag = QDrag(self)
        drag.setMimeData(session_mime(s, self.model.timetable_id))
        pm = self.card_pixmap(s)
        drag.setPixmap(pm)
        drag.setHotSpot(QPoint(10, 10))
        drag.exec(Qt.MoveAction)
        self.end_drag_preview()

    def contextMenuEvent(self, ev) -> None:
        it = self.item_at(ev.pos())
        if it is None:
            return
        if self.week is not None:
            self.message.emit(READ_ONLY_WEEK)
            return
        s = it.session
        menu = QMenu(self)
        locked = self.model.is_locked(s)
        act_lock = menu.addAction("Unlock" if locked else "Lock in place")
        act_un = menu.addAction("Unschedule (to tray)")
        act_un.setEnabled(not locked)
        chosen = menu.exec(ev.globalPos())
        if chosen is act_lock:
            self.lockRequested.emit([s], not locked)
        elif chosen is act_un:
            self.unscheduleRequested.emit(s)

    def event(self, ev) -> bool:
        from PySide6.QtCore import QEvent

        if ev.type() == QEvent.ToolTip:
            it = self.item_at(ev.pos())
            if it is not None:
                tip = self.card_tooltip(it.session)
                wd = self.week_day(it.lane)
                if wd is not None:
                    v = self.model.views[it.session]
                    row = wd.row_of(v.activity_id, v.occurrence)
                    tip += f"\n{wd.date:%a %d %b %Y}" + (f" ({wd.why})" if wd.why else "") + \
                        (f": {row.note}" if row is not None and row.note else "")
                QToolTip.showText(ev.globalPos(), tip, self)
            elif (fixed := self.fixed_at(ev.pos())) is not None:
                QToolTip.showText(ev.globalPos(), fixed.tooltip, self)  # "Committed by ECE: ECE-5A Signals Lab"
            else:
                QToolTip.hideText()
                ev.ignore()
            return True
        return super().event(ev)

    def card_tooltip(self, s: int) -> str:
        m = self.model
        v = m.views[s]
        fac = [m.lookups.faculty[c].name if c in m.lookups.faculty else c for c in v.faculty]
        t = int(m.assignment.start[s])
        dur = int(m.problem.session_duration[s])
        lines = [f"{v.course_code} {v.course_title} — {v.kind} #{v.occurrence + 1}",
                 f"Groups: {', '.join(v.groups)}", f"Faculty: {', '.join(fac)}",
                 f"{m.slot_label(t)}{f' (+{dur - 1} periods)' if dur > 1 else ''} in {v.room or 'no room'}"]
        if v.basket:
            lines.append(f"Elective basket {v.basket}")
        if v.locked:
            lines.append("Locked: the optimizer keeps it here.")
        if s in self._hard_sessions():
            reasons = [row.message for row in m.violations() if row.hard and s in row.sessions][:3]
            lines.append("Hard conflict: " + (" ".join(reasons) if reasons else "see the Conflicts panel."))
        return "\n".join(lines)

    # ---- drop side ---------------------------------------------------------------------
    def dragEnterEvent(self, ev) -> None:
        s = session_from_mime(ev.mimeData(), self.model.timetable_id)
        if s is None or self.week is not None:  # a chosen week is read-only
            ev.ignore()
            return
        if self.drag_session != s:
            self.begin_drag_preview(s)
        ev.acceptProposedAction()

    def dragMoveEvent(self, ev) -> None:
        s = session_from_mime(ev.mimeData(), self.model.timetable_id)
        if s is None:
            ev.ignore()
            return
        pos = ev.position()
        cell = self.cell_at(pos)
        if cell is None:
            self.hover_cell = self.hover_info = None
            self.update()
            ev.ignore()
            return
        if cell != self.hover_cell:
            self.hover_cell = cell
            self._hover_pos = pos.toPoint()
            other = self.item_at(pos)
            if other is not None and other.session != s:
                dh, ds = self.model.swap_delta(s, other.session) if self.model.state is not None else (0, 0)
                self.hover_info = {"category": "swap", "d_hard": dh, "d_soft": ds, "swap_with": other.session,
                                   "tooltip": f"Swap with {self.model.short_label(other.session)}: "
                                              f"hard {dh:+d}, soft {ds:+d}"}
            else:
                self.hover_info = self.drop_info(s, *cell, with_tooltip=False)
            self.update()
            QToolTip.hideText()
            # the reasons need a full evaluation: only when the pointer rests on a cell
            self._tip_timer.start()
        if self.hover_info and self.hover_info.get("category") == BLOCKED:
            ev.ignore()
        else:
            ev.acceptProposedAction()

    def dragLeaveEvent(self, ev) -> None:
        self._tip_timer.stop()
        self.hover_cell = self.hover_info = None
        QToolTip.hideText()
        self.update()

    def dropEvent(self, ev) -> None:
        s = session_from_mime(ev.mimeData(), self.model.timetable_id)
        cell = self.cell_at(ev.position())
        if s is None or cell is None or self._is_break(cell[1]):
            ev.ignore()
            self.end_drag_preview()
            return
        other = self.item_at(ev.position())
        target = other.session if other is not None and other.session != s else -1
        t = self.slot_of(*cell)
        room = self.target_room()
        if room is None:
            info = self.drop_info(s, *cell)
            room = info["room"]
        ev.acceptProposedAction()
        self.end_drag_preview()
        self.dropRequested.emit(s, t, -1 if room is None else int(room), target)
