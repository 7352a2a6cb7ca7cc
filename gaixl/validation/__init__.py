"""Checking: the layout's rules over ReportData, checks of whole files, history comparisons."""
