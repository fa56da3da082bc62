"""ato_desktop.io"""
