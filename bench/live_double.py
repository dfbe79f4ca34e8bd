#!/usr/bin/env python3
"""A loopback double of Splunk's saved-searches REST API for bench/live.sh: N correlation
searches in the documented JSON shape (`entry`, `paging`), paged by `count`/`offset`, on
127.0.0.1 only. Prints the port on its first line, then serves until killed.

    python3 bench/live_double.py RULES [DELAY_MS]
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

RULES = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
DELAY = (int(sys.argv[2]) if len(sys.argv) > 2 else 0) / 1000.0
TECHNIQUES = ["T1059.001", "T1003", "T1566.001", "T1021.002", "T1055", "T1071.001", "T1078", "T1547.001"]


def entry(i):
    annotations = {"mitre_attack": [TECHNIQUES[i % len(TECHNIQUES)]], "kill_chain_phases": ["Exploitation"]}
    return {
        "name": f"Bench rule {i:05d}",
        "id": f"https://splunk.example:8089/servicesNS/nobody/SA-ThreatIntelligence/saved/searches/Bench%20rule%20{i:05d}",
        "updated": "2026-11-30T10:00:00+00:00",
        "author": "nobody",
        "acl": {"app": "SA-ThreatIntelligence", "owner": "nobody", "sharing": "global"},
        "content": {
            "action.correlationsearch.enabled": "1",
            "action.correlationsearch.label": f"Bench rule {i}",
            "action.correlationsearch.annotations": json.dumps(annotations),
            "action.notable.param.severity": "high",
            "cron_schedule": "*/5 * * * *",
            "disabled": i % 10 == 0,
            "search": "| tstats summariesonly=true count from datamodel=Endpoint.Processes where "
            + "Processes.process_name=* by Processes.dest Processes.user " * 3,
        },
    }


ENTRIES = [entry(i) for i in range(RULES)]
PAGES = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        offset = int(query.get("offset", ["0"])[0])
        count = int(query.get("count", ["30"])[0])
        key = (offset, count)
        if key not in PAGES:
            PAGES[key] = json.dumps(
                {
                    "entry": ENTRIES[offset : offset + count],
                    "paging": {"total": RULES, "perPage": count, "offset": offset},
                    "messages": [],
                }
            ).encode()
        body = PAGES[key]
        if DELAY:
            time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
