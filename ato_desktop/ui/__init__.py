"""ato_desktop.ui"""
