"""One report's data: ReportData and data files, cell values as people type them, rosters."""
