#!/usr/bin/env python3
"""compare_reader.py: differential test of `passerelle check` against the
independent reader of the specifications (spec_reader.py) on generated files
(gen_files.py).

    compare_reader.py --binary build/daemon/passerelle --files 2000 --seed 1

For every file (seed S, S+1, ...): runs `passerelle check --format F --json
FILE`, reads the same bytes with spec_reader.read(), and compares the exit
status, the file error or warning (code, line, value), and per record: offer
or reject, line, source_ref, reject codes (field, code, value), warnings
(field, code, value), every normalised field of an offer, the summary, the
order of the keys and the bytes of each JSON line (compact, non-ASCII written
as is; the style of control-character escapes is free). Messages are only
checked to be non-empty strings.

Every difference is printed with the file's seed; `--seed N --files 1 --keep
DIR` writes that file to DIR (and --keep writes every failing file). Exit 1
on any difference.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_files  # noqa: E402
import spec_reader  # noqa: E402

ESCAPE = re.compile(r'\\(["\\/bfnrt]|u[0-9a-fA-F]{4})')
SHORT = {"b": "\\u0008", "f": "\\u000c", "n": "\\u000a", "r": "\\u000d", "t": "\\u0009"}


def canon_escapes(line):
    def repl(m):
        e = m.group(1)
        if e in SHORT:
            return SHORT[e]
        if e.startswith("u"):
            return "\\" + e.lower()
        return m.group(0)
    return ESCAPE.sub(repl, line)


def dump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def strip_messages(obj):
    if isinstance(obj, dict):
        return {k: (None if k == "message" else strip_messages(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [strip_messages(x) for x in obj]
    return obj


def messages_ok(obj, path="$"):
    """Every message is a non-empty string."""
    bad = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "message":
                if not isinstance(v, str) or not v:
                    bad.append(path)
            else:
                bad += messages_ok(v, path + "." + k)
    elif isinstance(obj, list):
        for i, x in enumerate(obj):
            bad += messages_ok(x, "%s[%d]" % (path, i))
    return bad


def diff_values(exp, act, path, out):
    """Appends (path, expected, actual) for each difference; key order included."""
    if isinstance(exp, dict) and isinstance(act, dict):
        if list(exp.keys()) != list(act.keys()):
            out.append((path + "{keys}", list(exp.keys()), list(act.keys())))
        for k in exp:
            if k in act:
                diff_values(exp[k], act[k], path + "." + k, out)
        return
    if isinstance(exp, list) and isinstance(act, list) and path.endswith(("errors", "warnings")):
        if len(exp) != len(act):
            out.append((path, [issue_str(x) for x in exp], [issue_str(x) for x in act]))
            return
        for i, (e, a) in enumerate(zip(exp, act)):
            diff_values(e, a, "%s[%d]" % (path, i), out)
        return
    if type(exp) is not type(act) or exp != act:
        out.append((path, exp, act))


def issue_str(x):
    if isinstance(x, dict):
        return "%s:%s=%r" % (x.get("field"), x.get("code"), x.get("value"))
    return repr(x)


def signature(obj_kind, path, exp, act):
    """A short key grouping differences of the same nature."""
    p = re.sub(r"\[\d+\]", "[]", path)
    if p.endswith(("errors", "warnings")) and isinstance(exp, list) and isinstance(act, list):
        e = [x for x in exp if x not in act]
        a = [x for x in act if x not in exp]
        return "%s %s exp+[%s] act+[%s]" % (obj_kind, p, ",".join(sorted({str(x).split("=")[0] for x in e})),
                                            ",".join(sorted({str(x).split("=")[0] for x in a})))
    if p.endswith((".value", ".field", ".code")) and "[]" in p:
        return "%s %s" % (obj_kind, p)
    return "%s %s" % (obj_kind, p)


class FileResult:
    def __init__(self, seed, fmt, tags):
        self.seed = seed
        self.fmt = fmt
        self.tags = tags
        self.diffs = []  # (signature, text)
        self.records = 0
        self.offers = 0
        self.codes = collections.Counter()


def compare_file(binary, seed, workdir):
    try:
        fmt, data, tags = gen_files.generate(seed)
    except Exception as e:  # a bug of the generator must not hide the others
        res = FileResult(seed, "?", [])
        res.diffs.append(("gen_files crash", "gen_files.generate(%d) raised %r" % (seed, e)))
        return res
    res = FileResult(seed, fmt, tags)
    path = os.path.join(workdir, gen_files.file_name(seed, fmt))
    with open(path, "wb") as f:
        f.write(data)
    try:
        exp_status, expected = spec_reader.read(data, fmt)
    except Exception as e:  # a bug of the oracle is a difference too
        res.diffs.append(("spec_reader crash", "spec_reader raised %r" % (e,)))
        os.unlink(path)
        return res
    try:
        p = subprocess.run([binary, "check", "--format", fmt, "--json", path], capture_output=True, timeout=120)
    finally:
        os.unlink(path)
    for o in expected:
        if o["kind"] in ("file_error", "file_warning"):
            res.codes[o["kind"] + " " + o["code"]] += 1
        if o["kind"] in ("offer", "reject"):
            for i in o["errors"] if o["kind"] == "reject" else []:
                res.codes["error " + i["code"]] += 1
            for i in o["warnings"]:
                res.codes["warning " + i["code"]] += 1
        if o["kind"] == "offer":
            res.codes["offer " + o["action"]] += 1
    res.codes["exit %d" % exp_status] += 1
    res.records = sum(1 for o in expected if o["kind"] in ("offer", "reject"))
    res.offers = sum(1 for o in expected if o["kind"] == "offer")
    if p.returncode != exp_status:
        res.diffs.append(("exit status %d->%d" % (exp_status, p.returncode),
                          "exit status: expected %d, got %d" % (exp_status, p.returncode)))
    try:
        text = p.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        res.diffs.append(("output not UTF-8", "stdout is not UTF-8: %s" % e))
        return res
    lines = [ln for ln in text.split("\n") if ln != ""]
    actual = []
    for ln in lines:
        try:
            obj = json.loads(ln)
        except ValueError as e:
            res.diffs.append(("output not JSON", "not a JSON line: %r (%s)" % (ln[:200], e)))
            continue
        actual.append(obj)
        if canon_escapes(ln) != canon_escapes(dump(obj)):
            res.diffs.append(("JSON bytes", "line is not compact/raw UTF-8 JSON: %r" % ln[:300]))
        bad = messages_ok(obj)
        if bad:
            res.diffs.append(("empty message", "message missing or empty at %s in %r" % (bad, ln[:200])))
    if p.stderr.strip() and p.returncode not in (0, 1, 2):
        res.diffs.append(("stderr", "stderr: %r" % p.stderr[:300]))

    def key(o):
        k = o.get("kind")
        if k in ("offer", "reject"):
            return ("row", o.get("line"))
        return (k,)

    exp_map = collections.OrderedDict()
    for o in expected:
        exp_map.setdefault(key(o), o)
    act_map = collections.OrderedDict()
    for o in actual:
        act_map.setdefault(key(o), o)
    exp_order = [key(o) for o in expected]
    act_order = [key(o) for o in actual]
    if len(exp_order) != len(exp_map) or len(act_order) != len(act_map):
        res.diffs.append(("duplicate line numbers", "several records printed with one line number"))
    for k, e in exp_map.items():
        a = act_map.get(k)
        label = "line %s" % k[1] if k[0] == "row" else k[0]
        if a is None:
            res.diffs.append(("missing %s" % (e["kind"] if k[0] == "row" else k[0]),
                              "%s: expected %s, binary printed nothing" % (label, dump(e)[:400])))
            continue
        if e.get("kind") != a.get("kind"):
            sig = "%s->%s" % (e.get("kind"), a.get("kind"))
            if e.get("kind") == "reject" or a.get("kind") == "reject":
                ec = e.get("errors") or []
                ac = a.get("errors") or []
                sig += " exp[%s] act[%s]" % (",".join(i["code"] for i in ec), ",".join(i["code"] for i in ac))
            res.diffs.append((sig, "%s: expected %s\n        binary   %s" % (
                label, dump(e)[:600], dump(strip_messages(a))[:600])))
            continue
        out = []
        diff_values(strip_messages(e), strip_messages(a), "", out)
        for pth, ev, av in out:
            res.diffs.append((signature(e["kind"], pth, ev, av),
                              "%s (%s%s): %s expected %s, binary %s" % (
                                  label, e["kind"], (" " + str(e.get("source_ref"))) if k[0] == "row" else "",
                                  pth or "$", json.dumps(ev, ensure_ascii=False)[:300],
                                  json.dumps(av, ensure_ascii=False)[:300])))
    for k, a in act_map.items():
        if k not in exp_map:
            res.diffs.append(("extra %s" % (a.get("kind")),
                              "%s: binary printed %s, not expected" % (k, dump(strip_messages(a))[:400])))
    if [k for k in exp_order if k in act_map] != [k for k in act_order if k in exp_map]:
        res.diffs.append(("output order", "objects printed in another order"))
    return res


def main():
    ap = argparse.ArgumentParser(description="passerelle check vs an independent reading of the specs")
    ap.add_argument("--binary", required=True, help="the passerelle executable")
    ap.add_argument("--files", type=int, default=2000, help="how many generated files")
    ap.add_argument("--seed", type=int, default=1, help="seed of the first file (file i has seed S+i)")
    ap.add_argument("--jobs", type=int, default=2, help="check processes run at once")
    ap.add_argument("--keep", help="write every failing file (seed in its name) to this directory")
    ap.add_argument("--max-print", type=int, default=8, help="differences printed per file")
    ap.add_argument("--max-files", type=int, default=60, help="failing files printed in detail (the summary counts all)")
    ap.add_argument("--quiet", action="store_true", help="print only the summary")
    ap.add_argument("--stats", action="store_true", help="print how often each code was expected (coverage)")
    a = ap.parse_args()

    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        sys.exit("compare_reader: %s is not executable" % binary)
    started = time.time()
    by_sig = collections.OrderedDict()
    nfiles = nrecords = noffers = failing = ndiffs = 0
    formats = collections.Counter()
    codes = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="reader_diff_") as work:
        # A private copy: the build tree's binary may be relinked meanwhile.
        snapshot = os.path.join(work, "passerelle")
        for attempt in range(30):
            try:
                shutil.copy2(binary, snapshot)
                break
            except OSError:
                time.sleep(2)
        else:
            sys.exit("compare_reader: cannot copy %s" % binary)
        binary = snapshot
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            results = pool.map(lambda s: compare_file(binary, s, work), range(a.seed, a.seed + a.files))
            for res in results:
                nfiles += 1
                nrecords += res.records
                noffers += res.offers
                formats[res.fmt] += 1
                codes.update(res.codes)
                if not res.diffs:
                    continue
                failing += 1
                ndiffs += len(res.diffs)
                for sig, _ in res.diffs:
                    ent = by_sig.setdefault(sig, [0, []])
                    ent[0] += 1
                    if len(ent[1]) < 5 and res.seed not in ent[1]:
                        ent[1].append(res.seed)
                if not a.quiet and failing <= a.max_files:
                    print("=== seed %d (%s) %s" % (res.seed, res.fmt, " ".join(res.tags)))
                    for _, text in res.diffs[:a.max_print]:
                        print("    " + text)
                    if len(res.diffs) > a.max_print:
                        print("    ... %d more" % (len(res.diffs) - a.max_print))
                if a.keep:
                    os.makedirs(a.keep, exist_ok=True)
                    fmt, data, _ = gen_files.generate(res.seed)
                    with open(os.path.join(a.keep, gen_files.file_name(res.seed, fmt)), "wb") as f:
                        f.write(data)
    if a.keep and a.files == 1 and not failing:
        os.makedirs(a.keep, exist_ok=True)
        fmt, data, _ = gen_files.generate(a.seed)
        with open(os.path.join(a.keep, gen_files.file_name(a.seed, fmt)), "wb") as f:
            f.write(data)
    print("\n--- %d files (%s), %d records (%d offers) compared in %.1f s" % (
        nfiles, ", ".join("%s %d" % kv for kv in sorted(formats.items())), nrecords, noffers,
        time.time() - started))
    if a.stats:
        print("--- expected codes (coverage):")
        for k, n in sorted(codes.items()):
            print("  %6d  %s" % (n, k))
    if by_sig:
        print("--- %d differences in %d files, by kind (count, first seeds):" % (ndiffs, failing))
        for sig, (n, seeds) in sorted(by_sig.items(), key=lambda kv: -kv[1][0]):
            print("  %5d  %s   seeds %s" % (n, sig, " ".join(map(str, seeds))))
        print("--- reproduce: %s --binary %s --seed N --files 1 --keep DIR" % (sys.argv[0], a.binary))
        return 1
    print("--- no difference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
