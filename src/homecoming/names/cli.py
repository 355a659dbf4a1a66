"""``homecoming names ...``: transliteration and spelling variants on the command line."""

from __future__ import annotations

import argparse
import sys

from .translit import STANDARDS, transliterate
from .variants import variants

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="homecoming names", description="Names across scripts.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("translit", help="print the transliteration of TEXT")
    t.add_argument("--standard", default="kmu2010", choices=sorted(STANDARDS),
                   help="transliteration standard (default: kmu2010, the official Ukrainian one)")
    t.add_argument("text", nargs="+", metavar="TEXT")
    v = sub.add_parser("variants", help="print the spellings under which the name TEXT may appear")
    v.add_argument("text", nargs="+", metavar="TEXT")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` are the arguments after ``names``.  Returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    text = " ".join(args.text)
    if args.command == "translit":
        print(transliterate(text, args.standard))
    else:
        for line in variants(text):
            print(line)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
