"""Survey of FET's example files: which time and space constraint types occur, in how many files.

    python benchmarks/fet_survey.py [FOLDER]      (default: /usr/share/doc/fet-data/examples, Debian's fet-data)

Prints a Markdown table: type, kind (time/space), files containing it, total instances, and whether
``ato-desktop import-fet`` maps it onto the engine (``ato_desktop.io.fet.SUPPORTED_TIME`` / ``_SPACE``),
then the Indian examples and the constraint types each of them uses.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ato_desktop.io.fet import SUPPORTED_SPACE, SUPPORTED_TIME, FetError, constraint_types  # noqa: E402

DEFAULT_FOLDER = Path("/usr/share/doc/fet-data/examples")
INDIAN_MARKERS = ("/India/",)


def example_files(folder: Path = DEFAULT_FOLDER) -> list[Path]:
    return sorted(p for p in folder.rglob("*.fet") if p.is_file())


def is_indian(path: Path) -> bool:
    return any(m in str(path) for m in INDIAN_MARKERS)


def survey(files: list[Path]):
    table: dict[tuple[str, str], list[int]] = {}  # (kind, type) -> [files, instances]
    per_file: dict[Path, set[str]] = {}
    unreadable: list[str] = []
    for p in files:
        try:
            time_c, space_c = constraint_types(p)
        except FetError as exc:
            unreadable.append(str(exc))
            continue
        per_file[p] = set(time_c) | set(space_c)
        for kind, counts in (("time", time_c), ("space", space_c)):
            for t, n in counts.items():
                row = table.setdefault((kind, t), [0, 0])
                row[0] += 1
                row[1] += n
    return table, per_file, unreadable


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = Path(argv[0]) if argv else DEFAULT_FOLDER
    files = example_files(folder)
    if not files:
        print(f"No .fet files under {folder} (on Debian/Ubuntu: apt-get install fet-data).")
        return 1
    table, per_file, unreadable = survey(files)
    n = len(per_file)
    print(f"{n} example files read from {folder}" + (f" ({len(unreadable)} unreadable)" if unreadable else "") + ".\n")
    print("| constraint type | kind | files | share of files | instances | imported |")
    print("|---|---|---:|---:|---:|---|")
    rows = sorted(table.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0][1]))
    for (kind, t), (nf, ni) in rows:
        ok = t in (SUPPORTED_TIME if kind == "time" else SUPPORTED_SPACE)
        print(f"| {t} | {kind} | {nf} | {100 * nf / n:.0f} % | {ni} | {'yes' if ok else 'no'} |")
    kinds = {k for k, _ in table}
    for kind in sorted(kinds):
        total = sum(1 for k, _ in table if k == kind)
        sup = sum(1 for k, t in table if k == kind and t in (SUPPORTED_TIME if kind == "time" else SUPPORTED_SPACE))
        print(f"\n{kind}: {total} types in the files, {sup} imported.", end="")
    quarter = [t for (k, t), (nf, _) in table.items() if nf * 4 >= n
               and t not in (SUPPORTED_TIME if k == "time" else SUPPORTED_SPACE)]
    print(f"\nTypes in at least a quarter of the files and not imported: {', '.join(sorted(quarter)) or 'none'}.")
    print("\n## Indian examples\n")
    print("| file | constraint types | not imported |")
    print("|---|---:|---|")
    for p, types in per_file.items():
        if not is_indian(p):
            continue
        missing = sorted(t for t in types if t not in SUPPORTED_TIME and t not in SUPPORTED_SPACE)
        print(f"| {p.relative_to(folder)} | {len(types)} | {', '.join(missing) or '—'} |")
    for u in unreadable:
        print(f"\nunreadable: {u}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
