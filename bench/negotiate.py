#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drive negotiations for bench/negotiation.sh, inside host A.

Each source address of A has its own policy to B: one UDP datagram
from it makes ipsecd send an ACQUIRE, and racoon A negotiates a phase 1
and a phase 2 with B for that address pair (racoon keys ISAKMP-SAs by
both addresses, as racoon's getph1() does).  A window of negotiations
is kept in flight, below B's cap on half-open responder phase 1 SAs
(128 overall; 8 per source address does not bite, every source being
different).  A negotiation is done when racoon A logs the outbound
"IPsec-SA established" line for its source.

Usage: negotiate.py LOG PEER WINDOW SRC...
Prints "N done in S s: R setups/s", or why it stopped, on stdout.
"""
import re
import socket
import sys
import time

STALL_SECONDS = 20


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    log, peer, window = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srcs = sys.argv[4:]
    pat = re.compile(r"IPsec-SA established: \w+/\w+ ([0-9.]+)\[0\]->" +
                     re.escape(peer) + r"\[0\]")
    pending = {}
    done = set()
    nxt = 0
    f = open(log, "r", encoding="utf-8", errors="replace")
    f.seek(0, 2)
    partial = ""
    t0 = time.monotonic()
    last = t0
    while len(done) < len(srcs):
        while nxt < len(srcs) and len(pending) < window:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((srcs[nxt], 0))
            s.sendto(b"x", (peer, 9))
            s.close()
            pending[srcs[nxt]] = time.monotonic()
            nxt += 1
        chunk = f.read()
        if chunk:
            lines = (partial + chunk).split("\n")
            partial = lines.pop()
            for line in lines:
                m = pat.search(line)
                if m and m.group(1) in pending:
                    del pending[m.group(1)]
                    done.add(m.group(1))
                    last = time.monotonic()
            continue
        if time.monotonic() - last > STALL_SECONDS:
            print("stalled: %d of %d done, %d in flight" %
                  (len(done), len(srcs), len(pending)))
            return 1
        time.sleep(0.005)
    el = last - t0
    print("%d done in %.2f s: %.0f setups/s" % (len(done), el,
                                                  len(done) / el))
    return 0


if __name__ == "__main__":
    sys.exit(main())
