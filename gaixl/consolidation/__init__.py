"""Consolidation of an inbox against a roster: the run, its result model, outputs, the status
page and its charts, and the letters to each unit."""
