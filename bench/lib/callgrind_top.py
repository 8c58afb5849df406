#!/usr/bin/env python3
"""Reads callgrind_annotate output on stdin and prints the top N functions as
'percent|instructions per request|function' lines (names shortened: templates collapsed).

  callgrind_top.py N REQUESTS [NAME_PREFIX]   only functions whose name starts with the prefix
"""
import re
import sys



def shorten(name):
    """Keeps a template's first argument when it is short (ParseString<8u, …>), drops deeper
    nesting, and elides the parameter list (the last parenthesised group)."""
    out, depth, kept = [], 0, False
    for ch in name:
        if ch == "<":
            depth += 1
            if depth == 1:
                out.append("<")
                kept = True
            continue
        if ch == ">":
            depth -= 1
            if depth == 0:
                out.append(">")
            continue
        if depth == 1 and kept:
            if ch == ",":
                out.append(", …")
                kept = False
            else:
                out.append(ch)
        elif depth == 0:
            out.append(ch)
    text = re.sub(r" \[clone [^\]]*\]", "", "".join(out))
    text = re.sub(r"<([^<>]{13,})>", "<…>", text)  # a long first argument is noise too
    return re.sub(r"\((?:[^()]|\([^()]*\))*\)(\s*const)?$", r"(…)\1", text)


n = int(sys.argv[1])
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 0
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
total = None
rows = []
for line in sys.stdin:
    m = re.match(r"^\s*([\d,]+)\s+\(100\.0+%\)\s+PROGRAM TOTALS", line) or \
        re.match(r"^\s*([\d,]+)\s+PROGRAM TOTALS", line)
    if m:
        total = int(m.group(1).replace(",", ""))
        continue
    m = re.match(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(\S.*?)\s*$", line)
    if m and total and ":" in m.group(2):
        cost = int(m.group(1).replace(",", ""))
        obj_fn = m.group(2)
        fn = obj_fn.split(":", 1)[1]  # "file:function [object]"; file may be ???
        if not fn.startswith(prefix):
            continue
        obj = ""
        if fn.endswith("]") and " [" in fn:
            fn, obj = fn[:fn.rindex(" [")], fn[fn.rindex(" [") + 2:-1].split("/")[-1]
        # Collapse template arguments so a name fits in a table cell.
        fn = fn.replace("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string")
        fn = fn.replace("std::basic_string_view<char, std::char_traits<char> >", "std::string_view")
        fn = shorten(fn)
        if obj and not obj.startswith("tollgate"):
            fn += f" ({obj})"
        rows.append((cost, fn.replace("|", "/")))
for cost, fn in rows[:n]:
    per = f"{cost / requests:,.0f}" if requests else "?"
    print(f"{100 * cost / total:.1f}|{per}|{fn}")
if total and requests and not prefix:
    print(f"total|{total / requests:,.0f}|all instructions per request (every thread)")
