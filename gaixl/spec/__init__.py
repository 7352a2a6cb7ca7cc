"""The official formats as data: model ← rules ← load.

`model` holds the records a layout file is loaded into, `rules` turns one rule text into an
Excel formula and a Python check, `load` reads and checks the YAML files (templates/ and the
folder named by GAIXL_LAYOUTS). Nothing here knows about workbooks, mail or documents.
"""
