# PyInstaller runtime hook: runs inside the bundle before the app's first import.
from ato_desktop.frozen import configure_frozen_runtime

configure_frozen_runtime()
