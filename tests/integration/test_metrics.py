# SPDX-License-Identifier: GPL-2.0
"""Prometheus metrics from a real trace: served on --metrics while the
trace runs and written to --metrics-file at every stats record, accepted
by `promtool check metrics`, with the counts the log itself holds, and
scraped by Debian's own Prometheus server, directly and through the node
exporter's textfile collector, with the values the log holds; the
example alert rules checked and unit-tested with promtool; a bad or busy
address refused with one line."""
import json
import os
import re
import socket
import subprocess
import time
import unittest
import urllib.parse
import urllib.request

from common import BpfTestCase, ROOT, SCENARIOS, SHMWATCH, Tracer, read_log

PROMTOOL = "/usr/bin/promtool"
PROMETHEUS = "/usr/bin/prometheus"
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
RULES = os.path.join(ROOT, "docs", "prometheus")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def series(text):
    """{'name{labels}': value} of an exposition text."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def promtool_check(text):
    return subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                          text=True)


@unittest.skipUnless(os.access(PROMTOOL, os.X_OK), "needs promtool (Debian package prometheus)")
class MetricsTest(BpfTestCase):
    def test_served_and_written_during_a_trace(self):
        port = free_port()
        prom = os.path.join(self.tmp, "shmwatch.prom")
        log = os.path.join(self.tmp, "log.json")
        # A pool that fills a 4 MiB tmpfs (shm-space-exhausted), then a
        # pause so that a scrape finds the trace running.
        script = "%s && sleep 2" % os.path.join(SCENARIOS, "shm_pool_full")
        with Tracer(["-q", "--stats-interval", "0.5", "--metrics", "127.0.0.1:%d" % port,
                     "--metrics-file", prom, "--", "sh", "-c", script], log) as t:
            t.wait_attached()
            deadline = time.time() + 20
            live = {}
            while time.time() < deadline:
                with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                            timeout=5) as r:
                    self.assertEqual(r.headers["Content-Type"],
                                     "text/plain; version=0.0.4; charset=utf-8")
                    text = r.read().decode()
                live = series(text)
                if live.get('shmwatch_findings_total{rule="shm-space-exhausted",'
                            'severity="error"}'):
                    break
                time.sleep(0.2)
            self.assertEqual(promtool_check(text).returncode, 0, promtool_check(text))
            self.assertEqual(live['shmwatch_findings_total{rule="shm-space-exhausted",'
                                  'severity="error"}'], 1, text)
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen("http://127.0.0.1:%d/other" % port, timeout=5)
            self.assertEqual(cm.exception.code, 404)
            rc = t.proc.wait(60)
            t.stop()
        self.assertEqual(rc, 0, t.stderr())
        # The file holds the final stats: the log's own counts.
        with open(prom) as f:
            text = f.read()
        self.assertEqual(promtool_check(text).returncode, 0, promtool_check(text))
        final = series(text)
        records = read_log(log)
        stats = [r for r in records if r["type"] == "stats" and r["final"]][0]
        self.assertEqual(final["shmwatch_records_total"], stats["events"])
        for call, n in stats["calls"].items():
            self.assertEqual(final['shmwatch_events_total{call="%s"}' % call], n, call)
            self.assertEqual(final['shmwatch_failed_calls_total{call="%s"}' % call],
                             stats["failed"][call], call)
        for call, n in stats["lost_by"].items():
            self.assertEqual(final['shmwatch_lost_records_total{call="%s"}' % call], n, call)
        tmpfs = [r for r in records if r["type"] == "tmpfs" and r["fs_size"] == 4 << 20]
        self.assertTrue(tmpfs)
        key = 'mount="%s",dev="%d:%d"' % (tmpfs[-1]["mount"], tmpfs[-1]["dev"] >> 20,
                                          tmpfs[-1]["dev"] & 0xfffff)
        self.assertEqual(final["shmwatch_memfs_size_bytes{%s}" % key], 4 << 20)
        self.assertEqual(final["shmwatch_memfs_peak_used_bytes{%s}" % key],
                         tmpfs[-1]["peak_used"])
        self.assertGreater(final["process_resident_memory_bytes"], 0)
        # The ring buffer and the analyzer's state, as the final stats say.
        self.assertEqual(final["shmwatch_ringbuf_size_bytes"], stats["ring"]["size"])
        self.assertEqual(stats["ring"]["size"], 8 << 20)
        self.assertEqual(final["shmwatch_ringbuf_peak_used_bytes"], stats["ring"]["peak"])
        self.assertLessEqual(stats["ring"]["peak"], 8 << 20)
        self.assertEqual(final["shmwatch_analyzer_state_bytes"], stats["state"]["bytes"])
        self.assertGreater(stats["state"]["bytes"], 0)
        self.assertEqual(final["shmwatch_analyzer_state_max_bytes"], 256 << 20)
        for kind, field in (("process", "procs"), ("segment", "segments"),
                            ("object", "objects"), ("mapping", "mappings"),
                            ("stack", "stacks")):
            self.assertEqual(final['shmwatch_analyzer_state_items{kind="%s"}' % kind],
                             stats["state"][field], kind)
        self.assertEqual(final['shmwatch_analyzer_forgotten_total{kind="process"}'], 0)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["log.json", "shmwatch.prom"])

    @unittest.skipUnless(os.access(PROMETHEUS, os.X_OK), "needs /usr/bin/prometheus")
    @unittest.skipUnless(os.access(NODE_EXPORTER, os.X_OK),
                         "needs /usr/bin/prometheus-node-exporter")
    def test_scraped_by_a_real_prometheus(self):
        """Debian's Prometheus scrapes a system-wide shmwatch (--metrics)
        and Debian's node exporter, whose textfile collector reads
        shmwatch's --metrics-file, every 0.5 s, while a pool fills a 4 MiB
        tmpfs; its query API then has, through both, the finding, the
        tmpfs's size, use and high-water mark the log has."""
        port, web, node = free_port(), free_port(), free_port()
        textdir = self.path("textfile")
        os.mkdir(textdir)
        log = self.path("log.json")
        config = self.path("prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\n"
                    "scrape_configs:\n"
                    "  - job_name: shmwatch\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n"
                    "  - job_name: node\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % (port, node))
        exporter = self.spawn([NODE_EXPORTER, "--web.listen-address=127.0.0.1:%d" % node,
                               "--collector.disable-defaults", "--collector.textfile",
                               "--collector.textfile.directory=" + textdir],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with Tracer(["-q", "--events", "none", "--stats-interval", "0.5",
                     "--metrics", "127.0.0.1:%d" % port,
                     "--metrics-file", os.path.join(textdir, "shmwatch.prom")], log,
                    stdout=subprocess.DEVNULL) as t:
            t.wait_attached()
            prom = self.spawn([PROMETHEUS, "--config.file", config, "--storage.tsdb.path",
                               self.path("tsdb"), "--web.listen-address",
                               "127.0.0.1:%d" % web], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
            pool = self.spawn([os.path.join(SCENARIOS, "shm_pool_full")],
                              stdout=subprocess.DEVNULL)
            self.assertEqual(pool.wait(60), 0)
            self.pids.add(pool.pid)
            api = "http://127.0.0.1:%d/api/v1/query?query=" % web
            found = 'shmwatch_findings_total{rule="shm-space-exhausted",severity="error"}'
            by_job = {}
            deadline = time.time() + 30
            while time.time() < deadline and sorted(by_job) != ["node", "shmwatch"]:
                time.sleep(0.5)
                by_job = {r["metric"]["job"]: r for r in self.query(api, found)
                          if r["value"][1] == "1"}
            # The trace is still running: what Prometheus holds now is
            # what the tmpfs record at the end will say, nothing moved
            # since the pool's process exited.
            sizes = self.query(api, "shmwatch_memfs_size_bytes == %d" % (4 << 20))
            used = self.query(api, "shmwatch_memfs_used_bytes")
            peaks = self.query(api, "shmwatch_memfs_peak_used_bytes")
            t.stop()
            prom.terminate()
            prom.wait(30)
        exporter.terminate()
        exporter.wait(30)
        self.assertEqual(sorted(by_job), ["node", "shmwatch"], by_job)
        tmpfs = [r for r in read_log(log) if r["type"] == "tmpfs" and r["fs_size"] == 4 << 20]
        self.assertTrue(tmpfs)
        want = {"mount": tmpfs[-1]["mount"],
                "dev": "%d:%d" % (tmpfs[-1]["dev"] >> 20, tmpfs[-1]["dev"] & 0xfffff)}

        def values(results):
            return {r["metric"]["job"]: float(r["value"][1]) for r in results
                    if r["metric"]["mount"] == want["mount"] and r["metric"]["dev"] == want["dev"]}
        self.assertEqual(values(sizes), {"shmwatch": 4 << 20, "node": 4 << 20}, sizes)
        self.assertEqual(values(used), {"shmwatch": tmpfs[-1]["fs_used"],
                                        "node": tmpfs[-1]["fs_used"]}, used)
        self.assertEqual(values(peaks), {"shmwatch": tmpfs[-1]["peak_used"],
                                         "node": tmpfs[-1]["peak_used"]}, peaks)
        self.assertGreater(tmpfs[-1]["peak_used"], 2 << 20)  # the pool filled it

    @staticmethod
    def query(api, expr):
        try:
            with urllib.request.urlopen(api + urllib.parse.quote(expr), timeout=5) as r:
                return json.load(r)["data"]["result"]
        except (urllib.error.URLError, ConnectionError):
            return []

    def test_bad_or_busy_address(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            for addr, msg in (("nowhere", "invalid metrics address 'nowhere' (HOST:PORT or "
                                          ":PORT)"),
                              ("127.0.0.1:%d" % port, "can't serve metrics on 127.0.0.1:%d "
                                                      "(address in use, or not ours?)" % port)):
                proc = subprocess.run([SHMWATCH, "-q", "--metrics", addr, "--", "true"],
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertEqual(proc.stderr.strip().splitlines(), ["shmwatch: " + msg])


@unittest.skipUnless(os.access(PROMTOOL, os.X_OK), "needs promtool (Debian package prometheus)")
class AlertRulesTest(unittest.TestCase):
    def test_rules_check_and_unit_tests_pass(self):
        for args in (["check", "rules", "shmwatch-alerts.yml"],
                     ["test", "rules", "shmwatch-alerts.test.yml"]):
            proc = subprocess.run([PROMTOOL] + args, cwd=RULES, capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertTrue(re.search(r"SUCCESS", proc.stdout), proc.stdout)
