"""ATO Desktop - Adaptive Timetabling Optimizer."""

__version__ = "0.1.0"
APP_NAME = "ATO Desktop"
APP_ID = "ato-desktop"
