"""Hostile and large workbooks: the streaming reader (homecoming.intake.xlsx) against openpyxl's
read-only reader, the one the import used before, each in its own process (wall time and peak
memory of that process).

    python -m bench.xlsx [--rows 10000] [--openpyxl-timeout 30] [--write-docs]

Files: ``hostile.xlsx`` (under 5 KB: a sheet declaring ``A1:XFD1048576`` with one cell in row
1,048,576, the probe of issue 16) and ``rows.xlsx`` (``--rows`` real rows of 8 columns written by
openpyxl, declaring ``A1:XFD<rows>``). The reader must answer the hostile file within 5 s and
200 MB (it refuses it, naming the row and column) and read the large one; openpyxl is stopped
after ``--openpyxl-timeout`` seconds. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.common import write_docs_section

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TARGET_S, TARGET_MB = 5.0, 200.0

READERS = {
    "homecoming": (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'homecoming.settings');"
        "import django; django.setup(); from homecoming.intake import parsing\n"
        "try:\n t = parsing.read_table(open(sys.argv[1], 'rb').read(), 'f.xlsx'); print('rows', len(t.rows))\n"
        "except parsing.FileProblem as e:\n print('refused:', e)"
    ),
    # what the import did before: openpyxl read-only, each row's values as text, kept
    "openpyxl read-only": (
        "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
        "rows = []\n"
        "for values in wb.worksheets[0].iter_rows(values_only=True):\n"
        " texts = ['' if v is None else str(v) for v in values]\n"
        " if any(t.strip() for t in texts): rows.append(texts)\n"
        "print('rows', len(rows) - 1)"
    ),
}


def _workbook(rows: list[list], dimension: str | None = None, sheet_xml: str | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    zin = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    files = {n: zin.read(n) for n in zin.namelist()}
    name = next(n for n in files if n.startswith("xl/worksheets/"))
    if sheet_xml is not None:
        files[name] = sheet_xml.encode()
    elif dimension:
        import re

        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", files[name])
        files[name] = re.sub(rb"(<worksheet[^>]*>(?:<sheetPr[^>]*/>|<sheetPr.*?</sheetPr>)?)",
                             lambda m: m.group(1) + f'<dimension ref="{dimension}"/>'.encode(), xml, count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            z.writestr(n, data)
    return out.getvalue()


def hostile() -> bytes:
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Прізвище</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>Ім\'я</t></is></c></row>')
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = (f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/>'
             f"<sheetData>{header}{far}</sheetData></worksheet>")
    return _workbook([], sheet_xml=sheet)


def large(n: int) -> bytes:
    rows = [["Прізвище", "Ім'я", "По батькові", "Дата народження", "Номер", "Частина", "Звання", "Примітка"]]
    rows += [[f"Тестенко{i}", "Олександр", "Миколайович", f"19{70 + i % 30}-0{1 + i % 9}-1{i % 10}", f"Н{i:06d}",
              f"в/ч А{i % 5000:04d}", "солдат", ""] for i in range(n)]
    return _workbook(rows, dimension=f"A1:XFD{n + 1}")


def measure(reader: str, path: Path, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", READERS[reader], str(path)], env=env,  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed = False
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            killed = True
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    out = (proc.stdout.read() or "").strip().splitlines()
    return {"seconds": seconds, "mb": usage.ru_maxrss / 1024, "killed": killed,
            "result": f"stopped after {timeout:.0f} s" if killed else (out[-1][:70] if out else f"exit {status}")}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--openpyxl-timeout", type=float, default=30.0)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    failed = []
    lines = ["| file | size | reader | wall time | peak memory | result |", "| --- | --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        files = {"hostile.xlsx": hostile(), f"rows.xlsx ({args.rows:,} rows)": large(args.rows)}
        for label, content in files.items():
            path = Path(tmp) / label.split()[0]
            path.write_bytes(content)
            for reader in READERS:
                timeout = args.openpyxl_timeout if reader != "homecoming" else 120
                m = measure(reader, path, timeout)
                lines.append(f"| {label} | {len(content) / 1024:.1f} KB | {reader} | "
                             f"{'>' if m['killed'] else ''}{m['seconds']:.1f} s | {m['mb']:.0f} MB | {m['result']} |")
                print(lines[-1], flush=True)
                if reader == "homecoming" and label == "hostile.xlsx" and (
                        m["seconds"] > TARGET_S or m["mb"] > TARGET_MB or "refused" not in m["result"]):
                    failed.append(f"hostile.xlsx: {m}")
                if reader == "homecoming" and label != "hostile.xlsx" and "rows" not in m["result"]:
                    failed.append(f"{label}: {m}")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        write_docs_section(
            "Hostile workbooks",
            f"`python -m bench.xlsx` on {platform.node() or 'this machine'} ({os.cpu_count()} cores, Python "
            f"{platform.python_version()}): each reader in its own process; wall time includes starting Python "
            f"(and Django for the streaming reader). Target: the hostile file (under 5 KB) answered within "
            f"{TARGET_S:.0f} s and {TARGET_MB:.0f} MB.", table)
    if failed:
        print("MISSED:", *failed, sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
