from tinkc.cli import entry

entry()
