"""ato_desktop.reports"""
