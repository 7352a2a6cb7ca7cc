"""Excel workbooks: reading and writing xlsx, the locked template (generation and per-unit
stamping), filling it, reading filled and hand-made workbooks, and the LibreOffice bridge."""
