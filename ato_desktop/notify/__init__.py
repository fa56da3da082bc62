"""ato_desktop.notify"""
