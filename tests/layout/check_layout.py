#!/usr/bin/env python3
"""check_layout.py REPO: the includes of formats/, connectors/ and daemon/
point only the way the README's "Layout" draws.

Each part (a folder) may include its own headers and those of the parts
listed in ALLOWED; a destination or a protocol folder may not include a
sibling (lba/ never reaches into france_travail/). Prints every forbidden
include as FILE:LINE: PART -> PART and exits 1 when there is any.
"""
import pathlib
import re
import sys

CONNECTOR_BASES = [
    "connectors/digest",
    "connectors/host",
    "connectors/http",
    "connectors/url",
    "connectors/destination",
]
CONNECTORS = CONNECTOR_BASES + ["connectors/drop", "connectors/lba", "connectors/france_travail"]
BELOW_DAEMON = ["formats"] + CONNECTORS

# part -> the parts it may include (besides itself).
ALLOWED = {
    "formats": [],
    "connectors/digest": [],
    "connectors/host": ["formats"],
    "connectors/http": ["formats", "connectors/host"],
    "connectors/url": [],
    "connectors/destination": ["formats", "connectors/host"],
    "connectors/drop": ["formats"] + CONNECTOR_BASES,
    "connectors/lba": ["formats"] + CONNECTOR_BASES,
    "connectors/france_travail": ["formats"] + CONNECTOR_BASES,
    "daemon/log": BELOW_DAEMON,
    "daemon/config": BELOW_DAEMON + ["daemon/log"],
    "daemon/store": BELOW_DAEMON + ["daemon/log", "daemon/config"],
    "daemon/destinations": BELOW_DAEMON + ["daemon/log", "daemon/config", "daemon/store"],
    "daemon/service": BELOW_DAEMON
    + ["daemon/log", "daemon/config", "daemon/store", "daemon/destinations"],
    "daemon/dashboard": BELOW_DAEMON
    + ["daemon/log", "daemon/config", "daemon/store", "daemon/destinations", "daemon/service"],
    "daemon/cli": BELOW_DAEMON
    + [
        "daemon/log",
        "daemon/config",
        "daemon/store",
        "daemon/destinations",
        "daemon/service",
        "daemon/dashboard",
    ],
}
# Inside a part, folders that must not include each other (one destination
# never depends on another; the registry at the part's root sees them all).
SIBLINGS_APART = ["daemon/destinations"]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def part_of(path: str):
    """The longest ALLOWED key that is a folder prefix of path."""
    best = None
    for part in ALLOWED:
        if path.startswith(part + "/") and (best is None or len(part) > len(best)):
            best = part
    return best


def main() -> int:
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems = []
    files = 0
    for top in ("formats", "connectors", "daemon"):
        for source in sorted((repo / top).rglob("*")):
            if source.suffix not in (".h", ".cpp"):
                continue
            files += 1
            rel = source.relative_to(repo).as_posix()
            mine = part_of(rel)
            if mine is None:
                problems.append(f"{rel}: not in any part of the layout")
                continue
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                theirs = part_of(target)
                if theirs is None:
                    if target.split("/")[0] in ("formats", "connectors", "daemon"):
                        problems.append(f"{rel}:{number}: {target} is in no part")
                    continue
                if theirs != mine and theirs not in ALLOWED[mine]:
                    problems.append(f"{rel}:{number}: {mine} -> {theirs} ({target})")
                    continue
                for apart in SIBLINGS_APART:
                    if mine == apart == theirs:
                        a = rel[len(apart) + 1 :].split("/")
                        b = target[len(apart) + 1 :].split("/")
                        if len(a) > 1 and len(b) > 1 and a[0] != b[0]:
                            problems.append(f"{rel}:{number}: {apart}/{a[0]} -> {apart}/{b[0]}")
    for p in problems:
        print(p)
    print(f"layout: {files} files, {len(problems)} forbidden include(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
