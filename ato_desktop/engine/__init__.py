"""ato_desktop.engine"""
