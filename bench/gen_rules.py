#!/usr/bin/env python3
"""Writes N synthetic Sigma rules (our own, deterministic) for the scaling benchmark:

    python3 bench/gen_rules.py N DIR

Each rule tags one to three current enterprise techniques chosen by a fixed pseudo-random
sequence, so any N gives the same files on every machine.
"""
import os
import random
import sys

TECHNIQUES = [
    "t1059.001", "t1059.003", "t1566.001", "t1204.002", "t1003.001", "t1003.006", "t1021.002",
    "t1021.001", "t1055", "t1071.001", "t1105", "t1027", "t1547.001", "t1053.005", "t1543.003",
    "t1569.002", "t1070.004", "t1486", "t1490", "t1218.011", "t1112", "t1078", "t1078.004",
    "t1537", "t1098", "t1110.003", "t1082", "t1057", "t1033", "t1087.002", "t1140", "t1005",
]
STATUSES = ["stable", "test", "experimental"]


def main(n, out):
    rng = random.Random(19)
    for i in range(n):
        folder = os.path.join(out, f"{i // 1000:04d}")
        os.makedirs(folder, exist_ok=True)
        tags = "".join(f"    - attack.{t}\n" for t in rng.sample(TECHNIQUES, rng.randint(1, 3)))
        with open(os.path.join(folder, f"rule_{i:07d}.yml"), "w") as f:
            f.write(
                f"title: Synthetic rule {i}\nid: 00000000-0000-4000-8000-{i:012d}\n"
                f"status: {rng.choice(STATUSES)}\ntags:\n{tags}"
                "logsource:\n    category: process_creation\n    product: windows\n"
                f"detection:\n    selection:\n        CommandLine|contains: 'marker-{i}'\n"
                "    condition: selection\nlevel: medium\n"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
