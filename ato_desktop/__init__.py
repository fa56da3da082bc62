"""ATO Desktop - Adaptive Timetabling Optimizer."""

import time as _time

STARTED = _time.perf_counter()  # as early as the package is imported: the start-up probe measures from here

__version__ = "0.1.0"
APP_NAME = "ATO Desktop"
APP_ID = "ato-desktop"
