"""python -m gaixl.cli"""
from gaixl.cli import main

main()
