"""The Notifications page's Templates tab: the template editor with its variables, and a live preview
for one faculty member (rendered in a worker thread; only the newest result is shown)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ato_desktop.notify.render import VARIABLES
from ato_desktop.services import mail_edits, mail_templates
from ato_desktop.services import notifications as notes
from ato_desktop.services.errors import ServiceError
from ato_desktop.ui import tasks

PREVIEW_DELAY_MS = 250


class TemplatesTab(QWidget):
    """The Templates tab of :class:`~ato_desktop.ui.notifications_view.NotificationsView`."""

    status = Signal(str)  # what happened, for the main window's status bar
    templates_changed = Signal(list)  # the template names, after each refresh (the Schedules tab offers them)
    queued = Signal()  # messages were queued: the Outbox shows them and sends them

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = None
        self._preview_seq = 0
        self._preview_pending = False
        self._loading = False
        split = QSplitter(Qt.Orientation.Horizontal, self)
        QVBoxLayout(self).addWidget(split)

        left = QWidget(split)
        lv = QVBoxLayout(left)
        self.template_list = QListWidget(left)
        self.template_list.setObjectName("templateList")
        self.template_list.currentTextChanged.connect(self._template_chosen)
        lv.addWidget(self.template_list, 1)
        lb = QHBoxLayout()
        self.new_template_button = QPushButton("&New", left)
        self.new_template_button.clicked.connect(self.new_template)
        self.delete_template_button = QPushButton("Delete", left)
        self.delete_template_button.clicked.connect(self.delete_template)
        lb.addWidget(self.new_template_button)
        lb.addWidget(self.delete_template_button)
        lv.addLayout(lb)
        lv.addWidget(QLabel("Variables (double-click to insert):", left))
        self.variable_list = QListWidget(left)
        self.variable_list.setObjectName("variableList")
        for name, what in VARIABLES.items():
            it = QListWidgetItem(f"${name}")
            it.setData(Qt.ItemDataRole.UserRole, name)
            it.setToolTip(what)
            self.variable_list.addItem(it)
        self.variable_list.itemDoubleClicked.connect(lambda it: self.insert_variable(it.data(Qt.ItemDataRole.UserRole)))
        lv.addWidget(self.variable_list, 1)

        mid = QWidget(split)
        mv = QVBoxLayout(mid)
        form = QFormLayout()
        self.template_name = QLineEdit(mid)
        self.template_name.setObjectName("templateName")
        self.template_subject = QLineEdit(mid)
        self.template_subject.setObjectName("templateSubject")
        self.attach_pdf = QCheckBox("Attach each recipient's own timetable (PDF)", mid)
        self.attach_pdf.setObjectName("attachPdf")
        form.addRow("Name:", self.template_name)
        form.addRow("Subject:", self.template_subject)
        form.addRow("", self.attach_pdf)
        mv.addLayout(form)
        self.body_tabs = QTabWidget(mid)
        self.body_text = QPlainTextEdit(mid)
        self.body_text.setObjectName("bodyText")
        self.body_html = QPlainTextEdit(mid)
        self.body_html.setObjectName("bodyHtml")
        self.body_html.setPlaceholderText("Optional. Empty: the HTML part is made from the plain text.")
        self.body_tabs.addTab(self.body_text, "Plain text")
        self.body_tabs.addTab(self.body_html, "HTML (optional)")
        mv.addWidget(self.body_tabs, 1)
        sb = QHBoxLayout()
        self.save_template_button = QPushButton("Sa&ve template", mid)
        self.save_template_button.setObjectName("saveTemplate")
        self.save_template_button.clicked.connect(self.save_template)
        self.send_template_button = QPushButton("Send to everyone now…", mid)
        self.send_template_button.setObjectName("sendTemplate")
        self.send_template_button.setToolTip("Queue this (saved) template for every faculty member with classes "
                                             "in the version shown in the Timetables grid (the preview's), then send in "
                                             "the background")
        self.send_template_button.clicked.connect(self.send_template_to_everyone)
        sb.addWidget(self.save_template_button)
        sb.addWidget(self.send_template_button)
        sb.addStretch(1)
        mv.addLayout(sb)
        self.template_status = QLabel(mid)
        self.template_status.setObjectName("templateStatus")
        self.template_status.setWordWrap(True)
        mv.addWidget(self.template_status)

        right = QWidget(split)
        rv = QVBoxLayout(right)
        pf = QHBoxLayout()
        pf.addWidget(QLabel("Preview for:", right))
        self.preview_faculty = QComboBox(right)
        self.preview_faculty.setObjectName("previewFaculty")
        self.preview_faculty.currentIndexChanged.connect(self.schedule_preview)
        pf.addWidget(self.preview_faculty, 1)
        rv.addLayout(pf)
        self.preview_subject = QLabel(right)
        self.preview_subject.setObjectName("previewSubject")
        self.preview_subject.setWordWrap(True)
        self.preview_subject.setTextFormat(Qt.TextFormat.PlainText)
        rv.addWidget(self.preview_subject)
        self.preview_tabs = QTabWidget(right)
        self.preview_html = QTextBrowser(right)
        self.preview_html.setObjectName("previewHtml")
        self.preview_html.setOpenLinks(False)
        self.preview_text = QPlainTextEdit(right)
        self.preview_text.setObjectName("previewText")
        self.preview_text.setReadOnly(True)
        self.preview_tabs.addTab(self.preview_html, "HTML")
        self.preview_tabs.addTab(self.preview_text, "Plain text")
        rv.addWidget(self.preview_tabs, 1)
        split.setSizes([180, 420, 380])

        self._last_editor: QWidget = self.body_text
        for w in (self.template_subject, self.body_text, self.body_html):
            w.installEventFilter(self)
        self.template_subject.textChanged.connect(self.schedule_preview)
        self.body_text.textChanged.connect(self.schedule_preview)
        self.body_html.textChanged.connect(self.schedule_preview)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)

    def set_readonly(self, readonly: bool) -> None:
        for w in (self.save_template_button, self.send_template_button, self.new_template_button,
                  self.delete_template_button):
            w.setVisible(not readonly)

    def clear(self) -> None:
        self.template_list.clear()

    def _say(self, label: QLabel, text: str, error: bool = False) -> None:
        label.setText(text)
        label.setStyleSheet("color: #a61b1b" if error else "")
        self.status.emit(text)

    def refresh_templates(self) -> None:
        if self.db is None:
            return
        current = self.template_list.currentItem().text() if self.template_list.currentItem() else None
        templates = mail_templates.list_templates(self.db)
        self._loading = True
        try:
            self.template_list.clear()
            for t in templates:
                self.template_list.addItem(t.name)
            keep = self.preview_faculty.currentData()
            self.preview_faculty.clear()
            for r in notes.recipients(self.db):
                self.preview_faculty.addItem(f"{r.name} ({r.code})", r.code)
            idx = self.preview_faculty.findData(keep)
            self.preview_faculty.setCurrentIndex(max(idx, 0))
        finally:
            self._loading = False
        names = [t.name for t in templates]
        self.templates_changed.emit(names)
        if names:
            self.select_template(current if current in names else names[0])

    def select_template(self, name: str) -> None:
        items = self.template_list.findItems(name, Qt.MatchFlag.MatchExactly)
        if items:
            self.template_list.setCurrentItem(items[0])
            self._template_chosen(name)

    def _template_chosen(self, name: str) -> None:
        if self._loading or not name or self.db is None:
            return
        try:
            t = mail_templates.get_template(self.db, name)
        except ServiceError as exc:
            self._say(self.template_status, str(exc), True)
            return
        self.template_name.setText(t.name)
        self.template_subject.setText(t.subject)
        self.body_text.setPlainText(t.body_text)
        self.body_html.setPlainText(t.body_html)
        self.attach_pdf.setChecked(t.attach_pdf)
        self.template_status.setText("")
        self.schedule_preview()

    def new_template(self) -> None:
        self.template_list.clearSelection()
        self.template_name.setText("new_template")
        self.template_subject.setText("Your timetable: $version")
        self.body_text.setPlainText("Dear $faculty_name,\n\n$classes\n")
        self.body_html.setPlainText("")
        self.attach_pdf.setChecked(True)
        self.template_name.setFocus()
        self.template_name.selectAll()

    def _write(self, operation, then) -> bool:
        """Run one operation (``services.mail_edits``) on the window's writer; ``then(change)`` when done.
        False when it failed already (the writer runs inline in tests)."""
        from ato_desktop.ui.operations import writer_of

        return bool(writer_of(self).run(operation, on_done=then, db=self.db,
                                        on_error=lambda exc: self._say(self.template_status, str(exc), True)))

    def save_template(self) -> bool:
        if self.db is None:
            return False
        name, subject, text = self.template_name.text(), self.template_subject.text(), self.body_text.toPlainText()
        html, attach = self.body_html.toPlainText(), self.attach_pdf.isChecked()

        def done(change) -> None:
            t = change.result
            self._say(self.template_status, f"Template '{t.name}' saved.")
            self.refresh_templates()
            self.select_template(t.name)

        return self._write(lambda db: mail_edits.save_template(db, name=name, subject=subject, body_text=text,
                                                               body_html=html, attach_pdf=attach), done)

    def delete_template(self) -> None:
        item = self.template_list.currentItem()
        if self.db is None or item is None:
            return
        name = item.text()
        if name == notes.get_on_publish(self.db):
            self._say(self.template_status, f"'{name}' is sent when a version is published; choose another "
                                            "template for that (Schedules) before deleting it.", True)
            return

        def done(_change) -> None:
            self._say(self.template_status, f"Template '{name}' deleted.")
            self.refresh_templates()

        self._write(lambda db: mail_edits.delete_template(db, name=name), done)

    def send_template_to_everyone(self) -> None:
        item = self.template_list.currentItem()
        if self.db is None or item is None:
            return
        name, version = item.text(), self.current_version_id()

        def done(change) -> None:
            q = change.result
            extra = f" No address for {', '.join(q.no_email)}." if q.no_email else ""
            self._say(self.template_status,
                      f"{q.queued} message(s) queued; sending in the background (see Outbox).{extra}")
            self.queued.emit()

        self._write(lambda db: mail_edits.queue_template_for_everyone(db, name=name, timetable=version), done)

    def eventFilter(self, obj, event) -> bool:  # remember which editor a variable goes into
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusIn:
            self._last_editor = obj
        return super().eventFilter(obj, event)

    def insert_variable(self, name: str) -> None:
        text = f"${name}"
        ed = self._last_editor
        if isinstance(ed, QLineEdit):
            ed.insert(text)
        else:
            cursor = ed.textCursor()
            cursor.insertText(text)
            ed.setTextCursor(cursor)
            ed.moveCursor(QTextCursor.MoveOperation.NoMove)
        ed.setFocus()

    # ---- the window's current version (what the grid shows) -----------------------------------
    def set_current_version(self, holder) -> None:
        """Render previews (and "send to everyone") for ``holder``'s version (``ui.current_version``)."""
        self._current = holder
        holder.changed.connect(lambda *_: self.schedule_preview())
        self.schedule_preview()

    def current_version_id(self) -> int | None:
        """The window's current version; None = the latest published one (else the latest)."""
        holder = getattr(self, "_current", None)
        return holder.id() if holder is not None else None

    # ---- live preview (rendered in a worker; only the newest result is shown) -----------------
    def schedule_preview(self) -> None:
        if not self._loading:
            self._preview_timer.start()

    def update_preview(self) -> None:
        if self.db is None:
            return
        if self._preview_pending:  # one at a time; run again when it reports
            self._preview_timer.start()
            return
        self._preview_seq += 1
        seq, db = self._preview_seq, self.db
        subject, text, html = (self.template_subject.text(), self.body_text.toPlainText(),
                               self.body_html.toPlainText())
        code = self.preview_faculty.currentData()
        self._preview_pending = True
        version = self.current_version_id()
        tasks.run(lambda: (seq, notes.preview(db, subject=subject, body_text=text, body_html=html,
                                                      faculty_code=code, timetable=version)), self._preview_done)

    @property
    def preview_pending(self) -> bool:
        return self._preview_pending or self._preview_timer.isActive()

    def _preview_done(self, result, error) -> None:
        self._preview_pending = False
        if error is not None:
            self.preview_subject.setText(f"Preview failed: {error}")
            return
        seq, rendered = result
        if seq != self._preview_seq:
            return
        self.preview_subject.setText(f"Subject: {rendered.subject}")
        self.preview_html.setHtml(rendered.html)
        self.preview_text.setPlainText(rendered.text)
