#!/usr/bin/env python3
"""audit-query.py CMD REPORT.json ARGS...: questions about an audit report
for the shell tests (prints the answer, one item a line).

  ids KIND NAME        sorted check ids of the findings on that object
  findings ID          "KIND NAME<TAB>EVIDENCE" of every finding of a check
  status ID            the check's status
  reason ID            the check's reason
  errors               the report's errors
  summary KEY          a summary count
"""
import json
import sys


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    with open(path) as f:
        rep = json.load(f)
    if cmd == "ids":
        ids = sorted({x["id"] for x in rep["findings"]
                      if x["object"]["kind"] == args[0]
                      and x["object"]["name"] == args[1]})
        for i in ids:
            print(i)
    elif cmd == "findings":
        for x in rep["findings"]:
            if x["id"] == args[0]:
                print("%s %s\t%s" % (x["object"]["kind"],
                                     x["object"]["name"], x["evidence"]))
    elif cmd in ("status", "reason"):
        for c in rep["checks"]:
            if c["id"] == args[0]:
                print(c[cmd] if c[cmd] is not None else "")
    elif cmd == "errors":
        for e in rep["errors"]:
            print(e)
    elif cmd == "summary":
        print(rep["summary"][args[0]])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
