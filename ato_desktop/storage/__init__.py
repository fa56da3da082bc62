"""ato_desktop.storage"""
