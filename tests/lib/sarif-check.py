#!/usr/bin/env python3
"""sarif-check.py FILE: check a SARIF log against the required fields and
types of the SARIF 2.1.0 schema, and what GitHub code scanning needs on
top (a ruleId, a location with a URI, rules with unique ids, ruleIndex
pointing at its rule).  Prints each problem; exits 1 when there is one.
"""
import json
import re
import sys

LEVELS = {"none", "note", "warning", "error"}
problems = []


def need(cond, where, what):
    if not cond:
        problems.append("%s: %s" % (where, what))


def is_str(v):
    return isinstance(v, str)


def message(m, where):
    need(isinstance(m, dict), where, "message must be an object")
    if isinstance(m, dict):
        need(is_str(m.get("text")) or is_str(m.get("id")), where,
             "message needs text or id")


def mfs(m, where):
    """multiformatMessageString: text required."""
    need(isinstance(m, dict) and is_str(m.get("text")), where,
         "needs a text string")


def rule(r, i, where):
    w = "%s.rules[%d]" % (where, i)
    need(isinstance(r, dict), w, "must be an object")
    if not isinstance(r, dict):
        return
    need(is_str(r.get("id")) and r["id"], w, "id is required")
    for k in ("shortDescription", "fullDescription", "help"):
        if k in r:
            mfs(r[k], w + "." + k)
    dc = r.get("defaultConfiguration")
    if dc is not None:
        need(dc.get("level", "warning") in LEVELS, w, "bad level")
    props = r.get("properties", {})
    need(isinstance(props, dict), w, "properties must be an object")
    sev = props.get("security-severity")
    if sev is not None:
        need(is_str(sev) and re.fullmatch(r"\d+(\.\d+)?", sev)
             and 0 <= float(sev) <= 10, w, "security-severity 0..10")


def location(loc, where):
    need(isinstance(loc, dict), where, "location must be an object")
    pl = loc.get("physicalLocation")
    need(isinstance(pl, dict), where, "code scanning needs physicalLocation")
    if not isinstance(pl, dict):
        return
    al = pl.get("artifactLocation")
    need(isinstance(al, dict) and is_str(al.get("uri")) and al["uri"],
         where, "artifactLocation.uri is required")
    if isinstance(al, dict) and is_str(al.get("uri")):
        need(not re.search(r"[\s\x00-\x1f\x7f]", al["uri"]), where,
             "uri must be a URI reference (no spaces or controls)")
    region = pl.get("region")
    if region is not None:
        need(isinstance(region.get("startLine", 1), int)
             and region.get("startLine", 1) >= 1, where, "startLine >= 1")


def run(r, i):
    w = "runs[%d]" % i
    need(isinstance(r, dict), w, "run must be an object")
    tool = r.get("tool")
    need(isinstance(tool, dict), w, "tool is required")
    driver = tool.get("driver") if isinstance(tool, dict) else None
    need(isinstance(driver, dict), w, "tool.driver is required")
    if not isinstance(driver, dict):
        return
    need(is_str(driver.get("name")) and driver["name"], w,
         "driver.name is required")
    rules = driver.get("rules", [])
    need(isinstance(rules, list), w, "rules must be a list")
    ids = []
    for j, ru in enumerate(rules):
        rule(ru, j, w + ".tool.driver")
        ids.append(ru.get("id"))
    need(len(ids) == len(set(ids)), w, "rule ids must be unique")
    if "columnKind" in r:
        need(r["columnKind"] in ("utf16CodeUnits", "unicodeCodePoints"),
             w, "bad columnKind")
    for j, inv in enumerate(r.get("invocations", [])):
        need(isinstance(inv.get("executionSuccessful"), bool),
             "%s.invocations[%d]" % (w, j), "executionSuccessful required")
        for k, n in enumerate(inv.get("toolExecutionNotifications", [])):
            message(n.get("message"), "%s.notifications[%d]" % (w, k))
    results = r.get("results")
    need(isinstance(results, list), w, "results must be a list")
    for j, res in enumerate(results or []):
        rw = "%s.results[%d]" % (w, j)
        message(res.get("message"), rw)
        need(is_str(res.get("ruleId")), rw, "code scanning needs ruleId")
        if "ruleIndex" in res:
            ri = res["ruleIndex"]
            need(isinstance(ri, int) and 0 <= ri < len(ids)
                 and ids[ri] == res.get("ruleId"), rw,
                 "ruleIndex must point at the rule")
        need(res.get("level", "warning") in LEVELS, rw, "bad level")
        locs = res.get("locations")
        need(isinstance(locs, list) and locs, rw,
             "code scanning needs a location")
        for k, loc in enumerate(locs or []):
            location(loc, "%s.locations[%d]" % (rw, k))
        pf = res.get("partialFingerprints", {})
        need(isinstance(pf, dict) and all(is_str(v) for v in pf.values()),
             rw, "partialFingerprints must map to strings")


def main():
    with open(sys.argv[1]) as f:
        log = json.load(f)
    need(isinstance(log, dict), "log", "must be an object")
    need(log.get("version") == "2.1.0", "log", "version must be 2.1.0")
    runs = log.get("runs")
    need(isinstance(runs, list), "log", "runs is required")
    for i, r in enumerate(runs or []):
        run(r, i)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
