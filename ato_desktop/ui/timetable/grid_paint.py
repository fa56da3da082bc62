"""Painting the timetable grid: cells coloured while a card is dragged (from the arrays the drag
preview computed once), the cards with their locks and conflict marks, and a dragged card's pixmap."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from ato_desktop.ui.timetable.model import GREEN, RED, VIEW_MASTER, YELLOW

CELL_COLORS = {
    GREEN: QColor(170, 225, 170, 170),
    YELLOW: QColor(250, 220, 110, 190),
    RED: QColor(240, 140, 140, 190),
}
CONFLICT_RED = QColor(200, 20, 20)


def draw_conflict_mark(p: QPainter, rect: QRectF, path: QPainterPath, selected: bool = False) -> None:
    """A card in a hard conflict: a red edge and a red "!" badge in its bottom-right corner."""
    p.save()
    p.setRenderHint(QPainter.Antialiasing, True)
    p.setBrush(Qt.NoBrush)
    p.setPen(QPen(CONFLICT_RED, 2.5 if not selected else 1.5, Qt.SolidLine))
    p.drawPath(path)
    d = 14.0
    badge = QRectF(rect.right() - d - 2, rect.bottom() - d - 2, d, d)
    p.setPen(Qt.NoPen)
    p.setBrush(CONFLICT_RED)
    p.drawEllipse(badge)
    f = p.font()
    f.setBold(True)
    f.setPixelSize(11)
    p.setFont(f)
    p.setPen(QColor(255, 255, 255))
    p.drawText(badge, Qt.AlignCenter, "!")
    p.restore()


def draw_lock(p: QPainter, x: float, y: float, size: float = 10) -> None:
    """A small padlock (no emoji font needed)."""
    p.save()
    p.setRenderHint(QPainter.Antialiasing)
    pen = QPen(QColor(60, 60, 60), 1.4)
    p.setPen(pen)
    p.setBrush(Qt.NoBrush)
    w = size * 0.6
    p.drawArc(QRectF(x + (size - w) / 2, y, w, size * 0.7), 0, 180 * 16)
    p.setBrush(QColor(60, 60, 60))
    p.drawRoundedRect(QRectF(x + size * 0.1, y + size * 0.4, size * 0.8, size * 0.6), 1.5, 1.5)
    p.restore()



@dataclass
class CardItem:
    session: int
    lane: int
    rect: QRectF



class GridPainting:
    """The painting of :class:`~ato_desktop.ui.timetable.grid.TimetableGrid` (mixed into it): the
    cells with their drag colours, the cards, locks and conflict marks, and a card's drag pixmap."""

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, False)  # axis-aligned fills: fast; cards turn it on
        m = self.model
        P = m.problem.periods_per_day
        pal_bg = QColor(252, 252, 252)
        grid_pen = QPen(QColor(215, 215, 215))
        p.fillRect(self.rect(), pal_bg)
        # header
        hfont = QFont(self.font())
        hfont.setBold(True)
        p.setFont(hfont)
        periods = m.lookups.periods
        for per in range(P):
            r = QRectF(self.col_x(per), 0, self.col_w(per), self.HEADER_H)
            p.fillRect(r, QColor(236, 239, 244))
            p.setPen(QColor(40, 40, 40))
            if self._is_break(per):
                p.save()
                p.translate(r.center())
                p.rotate(-90)
                p.drawText(QRectF(-self.HEADER_H / 2, -self.BREAK_W / 2, self.HEADER_H, self.BREAK_W),
                           Qt.AlignCenter, m.problem.period_labels[per][:5])
                p.restore()
            else:
                lab = m.problem.period_labels[per]
                times = f"{periods[per].start}–{periods[per].end}" if per < len(periods) else ""
                p.drawText(r.adjusted(0, 2, 0, -self.HEADER_H / 2), Qt.AlignCenter, lab)
                small = QFont(self.font())
                small.setPointSizeF(max(6.5, self.font().pointSizeF() - 2))
                p.setFont(small)
                p.drawText(r.adjusted(0, self.HEADER_H / 2 - 2, 0, 0), Qt.AlignCenter, times)
                p.setFont(hfont)
        # lanes
        preview = None
        if self.drag_session is not None and m.state is not None:
            preview = m.preview(self.drag_session, self.target_room())
        troom = self.target_room()
        small = QFont(self.font())
        small.setPointSizeF(max(6.5, self.font().pointSizeF() - 1))
        for li, ln in enumerate(self._lanes):
            y, h = self._lane_y[li], self._lane_h[li]
            shade = QColor(246, 247, 250) if ln.day % 2 == 0 else QColor(255, 255, 255)
            p.fillRect(QRectF(0, y, self.LABEL_W, h), QColor(236, 239, 244))
            p.setPen(QColor(40, 40, 40))
            p.setFont(hfont)
            p.drawText(QRectF(6, y, self.LABEL_W - 8, h), Qt.AlignVCenter | Qt.AlignLeft, ln.label)
            for per in range(P):
                r = QRectF(self.col_x(per), y, self.col_w(per), h)
                if self._is_break(per) or not m.problem.slot_usable[ln.day * P + per]:
                    p.fillRect(r, QBrush(QColor(205, 205, 205), Qt.BDiagPattern))
                    p.fillRect(r, QColor(230, 230, 230, 120))
                else:
                    p.fillRect(r, shade)
                    if preview is not None:
                        t = ln.day * P + per
                        cat, dh, ds, _r = preview.at(t, troom)
                        if cat in CELL_COLORS:
                            p.fillRect(r.adjusted(1, 1, -1, -1), CELL_COLORS[cat])
                            if cat == YELLOW or cat == RED:
                                p.setFont(small)
                                p.setPen(QColor(90, 60, 0) if cat == YELLOW else QColor(130, 0, 0))
                                txt = f"+{ds}" if cat == YELLOW else f"✕{dh}"
                                p.drawText(r.adjusted(0, 0, -4, -2), Qt.AlignRight | Qt.AlignBottom, txt)
                p.setPen(grid_pen)
                p.drawRect(r)
            wd = self.week.get(ln.day) if self.week is not None else None
            if wd is not None and (wd.holiday or wd.why):
                area = QRectF(self.LABEL_W, y, self.col_x(P) - self.LABEL_W, h)
                if wd.holiday:  # greyed, with the holiday's label: nothing happens that day
                    p.fillRect(area, QColor(200, 200, 200, 170))
                p.setPen(QColor(70, 70, 70))
                p.setFont(small)
                p.drawText(area.adjusted(8, 2, -8, -2), Qt.AlignRight | Qt.AlignBottom,
                           wd.holiday[:1].upper() + wd.holiday[1:] if wd.holiday else wd.why)
                p.setFont(hfont)
            p.setPen(QPen(QColor(170, 170, 170)))
            p.drawLine(QPointF(0, y + h), QPointF(self.col_x(P), y + h))
        if self.hover_cell is not None and self.drag_session is not None:
            li, per = self.hover_cell
            if li < len(self._lanes):
                s = self.drag_session
                dur = int(m.problem.session_duration[s])
                x1 = self.col_x(min(per + dur, P))
                r = QRectF(self.col_x(per), self._lane_y[li], x1 - self.col_x(per), self._lane_h[li])
                p.setPen(QPen(QColor(30, 30, 30), 2, Qt.DashLine))
                p.setBrush(Qt.NoBrush)
                p.drawRect(r.adjusted(1, 1, -1, -1))
        # cards
        p.setRenderHint(QPainter.Antialiasing, True)
        for it in self._items:
            self._paint_card(p, it)
        for c, rect in getattr(self, "fixed_items", ()):  # other departments' commitments: grey, with the owner
            p.setPen(QPen(QColor(150, 150, 150)))
            p.setBrush(QColor(214, 214, 214))
            p.drawRoundedRect(rect, 4, 4)
            p.setPen(QColor(80, 80, 80))
            p.setFont(small)
            p.drawText(rect.adjusted(4, 2, -4, -2), Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap,
                       f"{c.department}\n{c.label}")
        p.end()

    def _paint_card(self, p: QPainter, it: CardItem) -> None:
        m = self.model
        s = it.session
        v = m.views[s]
        rgb = m.color_of(s)
        fill = QColor(*rgb)
        dragging = s == self.drag_session
        if dragging:
            fill.setAlpha(90)
        border = QColor(*rgb).darker(150)
        sel = s in m.selection
        path = QPainterPath()
        path.addRoundedRect(it.rect, 5, 5)
        p.fillPath(path, fill)
        p.setPen(QPen(QColor(20, 60, 160), 3) if sel else QPen(border, 1))
        p.drawPath(path)
        r = it.rect.adjusted(5, 2, -4, -2)
        f = QFont(self.font())
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor(25, 25, 25))
        fm = QFontMetrics(f)
        line_h = fm.height()
        kind = {"L": "Lecture", "T": "Tutorial", "P": "Lab"}.get(v.kind, v.kind)
        title = f"{v.course_code} {kind if r.width() > 110 else v.kind}"
        p.drawText(QRectF(r.x(), r.y(), r.width() - 12, line_h), Qt.AlignLeft | Qt.AlignVCenter,
                   fm.elidedText(title, Qt.ElideRight, int(r.width() - 12)))
        f2 = QFont(self.font())
        f2.setPointSizeF(max(6.5, self.font().pointSizeF() - 1))
        p.setFont(f2)
        fm2 = QFontMetrics(f2)
        who, mark = self.card_who(it)
        if mark:  # the chosen date's arrangement: marked
            who = f"⇄ {who}" if mark in ("substitute", "changed") else f"⚠ {who}" if mark == "not covered" else who
            p.save()
            p.setPen(QPen(QColor(200, 90, 0), 2, Qt.DashLine))
            p.drawPath(path)
            p.restore()
        room = v.room or "no room"
        if self.kind == VIEW_MASTER:
            line2 = f"{who} · {room}"
            lines = [line2]
            if len(v.groups) and any(m.is_batch(g) for g in v.groups):
                lines = [f"{who} · {room} · {','.join(g.rsplit('-', 1)[-1] for g in v.groups)}"]
        else:
            groups = ", ".join(v.groups)
            lines = [who, f"{room} · {groups}" if self.kind != "group" else room]
            if self.kind == "group" and any(m.is_batch(g) for g in v.groups):
                lines = [who, f"{room} · {', '.join(g.rsplit('-', 1)[-1] for g in v.groups)}"]
        y = r.y() + line_h
        for ln in lines:
            if y + fm2.height() > it.rect.bottom() + 1:
                break
            p.drawText(QRectF(r.x(), y, r.width(), fm2.height()), Qt.AlignLeft | Qt.AlignVCenter,
                       fm2.elidedText(ln, Qt.ElideRight, int(r.width())))
            y += fm2.height()
        if v.locked:
            draw_lock(p, it.rect.right() - 14, it.rect.top() + 4, 10)
        if s in self._hard_sessions():
            draw_conflict_mark(p, it.rect, path, selected=sel)

    def _hard_sessions(self) -> frozenset[int]:
        fn = getattr(self.model, "hard_conflict_sessions", None)
        try:
            return fn() if fn is not None else frozenset()
        except Exception:  # noqa: BLE001  (a half-loaded engine must not stop the grid painting)
            return frozenset()

    def card_pixmap(self, s: int) -> QPixmap:
        it = self.item_of(s)
        w, h = (int(it.rect.width()), int(it.rect.height())) if it else (self.COL_W - 4, int(self.track_h) - 4)
        pm = QPixmap(w, h)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        tmp = CardItem(s, 0, QRectF(0, 0, w, h))
        was, self.drag_session = self.drag_session, None
        self._paint_card(p, tmp)
        self.drag_session = was
        p.end()
        return pm
