# SPDX-License-Identifier: GPL-2.0
"""The service mode as the systemd unit runs it (docs/service/): the
options of shmwatch.default, with only the capabilities the unit's
CapabilityBoundingSet leaves (setpriv), tracefs mounted as systemd mounts
it (in a mount namespace of the test's own: this machine has none), and
the log rotated by logrotate with the example snippet and SIGHUP.

It must trace the whole system, print findings and no per-call lines,
write a log of findings, summaries (of processes with findings only),
usage and stats, serve its metrics, lose no record across the rotation,
and keep the previous run's log when it is started again."""
import json
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.request

from common import ROOT, SCENARIOS, SHMWATCH, BpfTestCase, read_log
from test_metrics import free_port, series

SERVICE = os.path.join(ROOT, "docs", "service")
LOGROTATE = "/usr/sbin/logrotate"


def unit_caps():
    """The unit's CapabilityBoundingSet as setpriv's --bounding-set."""
    with open(os.path.join(SERVICE, "shmwatch.service")) as f:
        m = re.search(r"^CapabilityBoundingSet=(.+)$", f.read(), re.M)
    caps = m.group(1).split()
    return ",".join("+" + c[len("CAP_"):].lower() for c in caps), caps


def default_opts(log, port):
    """SHMWATCH_OPTS of shmwatch.default, with the test's log and port."""
    with open(os.path.join(SERVICE, "shmwatch.default")) as f:
        m = re.search(r'^SHMWATCH_OPTS="(.*)"$', f.read(), re.M)
    opts = shlex.split(m.group(1))
    opts[opts.index("-o") + 1] = log
    opts[opts.index("--metrics") + 1] = "127.0.0.1:%d" % port
    opts[opts.index("--stats-interval") + 1] = "0.5"
    return opts


class ServiceTest(BpfTestCase):
    def setUp(self):
        super().setUp()
        if not os.access(LOGROTATE, os.X_OK):
            self.fail("%s is missing: make test installs logrotate" % LOGROTATE)
        self.log = self.path("shmwatch.ndjson")
        self.port = free_port()

    def start(self, out):
        bset, _ = unit_caps()
        script = ('mount -t tracefs nodev /sys/kernel/tracing && '
                  'exec setpriv --inh-caps=-all --bounding-set=-all,%s -- "$@"' % bset)
        p = self.spawn(["unshare", "-m", "sh", "-c", script, "sh", SHMWATCH] +
                       default_opts(self.log, self.port),
                       stdout=out, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 30
        err = []
        while time.time() < deadline:
            line = p.stderr.readline()
            err.append(line)
            if not line or line.startswith("shmwatch: tracing"):
                break
        self.assertTrue(err[-1].startswith("shmwatch: tracing the whole system"), "".join(err))
        return p

    def stop(self, p):
        p.send_signal(signal.SIGTERM)
        rc = p.wait(60)
        err = p.stderr.read()
        p.stderr.close()
        self.assertEqual(rc, 0, err)
        return err

    def launcher(self, scenario):
        """A process started before the trace that runs scenario when
        told (go()): system-wide, a leak waits while a traced ancestor of
        its creator lives (it could remove it), and this test is one; a
        process forked before the trace has no traced ancestor."""
        return self.spawn(["sh", "-c", 'read go && exec "$0"',
                           os.path.join(SCENARIOS, scenario)],
                          stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)

    def go(self, p):
        p.stdin.write("go\n")
        p.stdin.close()
        self.assertEqual(p.wait(30), 0)
        self.pids.add(p.pid)
        return p.pid

    def wait_findings(self, rule, n):
        """The count of rule's findings the metrics show, once it is n."""
        key = 'shmwatch_findings_total{rule="%s",severity="%s"}'
        deadline = time.time() + 20
        while time.time() < deadline:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port,
                                        timeout=5) as r:
                s = series(r.read().decode())
            got = sum(s.get(key % (rule, sev), 0) for sev in ("info", "warning", "error"))
            if got >= n:
                return got
            time.sleep(0.2)
        return got

    def logrotate(self, pid):
        """The example snippet, for the test's directory, signalling pid."""
        with open(os.path.join(SERVICE, "shmwatch.logrotate")) as f:
            conf = f.read()
        conf = conf.replace("/var/log/shmwatch/", self.tmp + "/")
        conf = re.sub(r"(?m)^\s*systemctl kill .*$", "\t\tkill -HUP %d" % pid, conf)
        self.assertIn("kill -HUP %d" % pid, conf)
        with open(self.path("logrotate.conf"), "w") as f:
            f.write(conf)
        r = subprocess.run([LOGROTATE, "-f", "-s", self.path("logrotate.state"),
                            self.path("logrotate.conf")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_service_mode_with_the_units_capabilities(self):
        _, caps = unit_caps()
        self.assertNotIn("CAP_SYS_ADMIN", caps)
        leak, twin = self.launcher("segment_leak"), self.launcher("segment_leak_clean")
        with open(self.path("stdout"), "w") as out:
            p = self.start(out)
            leaker = self.go(leak)
            clean = self.go(twin)
            self.assertEqual(self.wait_findings("segment-leak", 2), 2)
            # logrotate renames the log and signals: shmwatch reopens it.
            self.logrotate(p.pid)
            self.assertTrue(os.path.exists(self.log + ".1"))
            deadline = time.time() + 10
            while not os.path.exists(self.log) and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.path.exists(self.log), "not reopened after SIGHUP")
            # A finding after the rotation goes to the new log.
            big = self.spawn([os.path.join(SCENARIOS, "oversized_request")],
                             stdout=subprocess.DEVNULL)
            self.assertEqual(big.wait(30), 0)
            self.pids.add(big.pid)
            self.assertEqual(self.wait_findings("oversized-request", 2), 2)
            self.stop(p)
        with open(self.path("stdout")) as f:
            text = f.read()
        mine = {leaker, big.pid, clean}
        # The text view: findings, no per-call lines.
        self.assertEqual(len(re.findall(r"FINDING \S+ segment-leak pid %d " % leaker, text)), 2,
                         text)
        self.assertEqual(len(re.findall(r"FINDING \S+ oversized-request pid %d " % big.pid,
                                        text)), 2, text)
        self.assertNotRegex(text, r"(?m)^\S+ +\d+ +\S+ +shmget\(")
        # Both logs together hold every record once, and no event.
        before, after = read_log(self.log + ".1"), read_log(self.log)
        self.assertEqual(before[0]["type"], "header")
        records = before + after
        self.assertEqual([r for r in records if r["type"] == "event"], [])
        findings = [r for r in records if r["type"] == "finding" and r["pid"] in mine]
        self.assertEqual(sorted((f["pid"], f["rule"]) for f in findings),
                         sorted([(leaker, "segment-leak")] * 2 +
                                [(big.pid, "oversized-request")] * 2))
        self.assertTrue(all(f["pid"] == leaker for f in findings if f in before))
        self.assertTrue(all(f["pid"] == big.pid for f in findings if f in after))
        for s in (r for r in records if r["type"] == "summary"):
            self.assertTrue(s["findings"], s)
        self.assertIn(leaker, [s["pid"] for s in records if s["type"] == "summary"])
        self.assertNotIn(clean, [s["pid"] for s in records if s["type"] == "summary"])
        final = [r for r in after if r["type"] == "stats" and r["final"]]
        self.assertEqual(len(final), 1)
        self.assertEqual(final[0]["lost"], 0)
        self.assertEqual(final[0]["findings"],
                         len([r for r in records if r["type"] == "finding"]))
        # Started again (a restart of the service): the log of the run
        # before moves to .1, the rotated one to .2.
        with open(self.path("stdout2"), "w") as out:
            self.stop(self.start(out))
        self.assertEqual(read_log(self.log + ".1"), after)
        self.assertEqual(read_log(self.log + ".2"), before)
        self.assertEqual(read_log(self.log)[0]["type"], "header")
