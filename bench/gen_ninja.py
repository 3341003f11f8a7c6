#!/usr/bin/env python3
"""Writes a build.ninja with the same shape and edge count as engine_overhead's graph.

Per app: discover -> per version: probe -> build x2 -> merge -> sbom, sign, provenance. Every edge
writes one real file (touch), so after one build a second `ninja` run is a real up-to-date check:
it loads .ninja_log, stats every output and finds nothing to do.

usage: gen_ninja.py DIR APPS VERSIONS
"""
import os
import sys


def main():
    out_dir, apps, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(out_dir, exist_ok=True)
    lines = ["rule touch", "  command = touch $out", "  description = touch $out", ""]
    edges = 0
    for a in range(apps):
        d = "app%05d" % a
        os.makedirs(os.path.join(out_dir, d), exist_ok=True)
        discover = "%s/discover" % d
        lines.append("build %s: touch" % discover)
        edges += 1
        for v in range(versions):
            p = "%s/v%d" % (d, v)
            lines.append("build %s.probe: touch %s" % (p, discover))
            builds = []
            for plat in ("amd64", "arm64"):
                b = "%s.build.%s" % (p, plat)
                lines.append("build %s: touch %s.probe" % (b, p))
                builds.append(b)
            lines.append("build %s.merge: touch %s" % (p, " ".join(builds)))
            for att in ("sbom", "sign", "provenance"):
                lines.append("build %s.%s: touch %s.merge" % (p, att, p))
            edges += 7
    with open(os.path.join(out_dir, "build.ninja"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(edges)


if __name__ == "__main__":
    main()
