from opgave.cli import run

run()
