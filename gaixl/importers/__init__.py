"""Importing published reports (text, HTML, Word, PDF) into checked report data."""
